using System.Diagnostics.CodeAnalysis;

namespace RecoverySim.Lab.Campaigns;

/// <summary>
/// One state a campaign powers on from: a cut of the scenario's recorded run and, at depth 2, a
/// second cut of the power-on that followed it. Its id (<c>p57-t3</c>, <c>p57/p12-c1</c>) replays it
/// with <c>recoverysim powercut FILE --replay ID</c>.
/// </summary>
/// <param name="First">The cut of the recorded run.</param>
/// <param name="Second">The cut of the power-on after it, or null.</param>
public sealed record CrashPoint(BoardCut First, BoardCut? Second = null)
{
    /// <summary>Its kind.</summary>
    public CrashKind Kind => Second is not null ? CrashKind.Depth2
        : First.ExtraRpmb > 0 ? CrashKind.Rpmb
        : First.Disk.IsTorn ? CrashKind.Torn
        : First.Disk.HasCacheLoss ? CrashKind.Cache
        : CrashKind.Prefix;

    /// <inheritdoc/>
    public override string ToString() => Second is BoardCut second ? $"{First}/{second}" : First.ToString();

    /// <summary>Parses an id of <see cref="ToString"/>'s form.</summary>
    /// <exception cref="FormatException">Not such an id, saying why.</exception>
    public static CrashPoint Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return TryParse(id, out CrashPoint? point, out string? error) ? point : throw new FormatException(error);
    }

    /// <summary>Parses an id; false (with the reason) when it is not one.</summary>
    public static bool TryParse(string? id, [NotNullWhen(true)] out CrashPoint? point, [NotNullWhen(false)] out string? error)
    {
        point = null;
        if (id is null || id.Length > BlockDevice.Logging.CrashState.MaxIdLength * 2)
        {
            error = "a crash id: p<prefix>[-c<mask>|-t<sectors>][+r<count>], optionally /another for a second cut";
            return false;
        }

        string[] parts = id.Split('/');
        if (parts.Length > 2)
        {
            error = $"crash id '{(id.Length > 40 ? id[..40] + "..." : id)}': at most two cuts (first/second)";
            return false;
        }

        if (!BoardCut.TryParse(parts[0], out BoardCut first, out error))
        {
            return false;
        }

        BoardCut? second = null;
        if (parts.Length == 2)
        {
            if (!BoardCut.TryParse(parts[1], out BoardCut s, out error))
            {
                return false;
            }

            second = s;
        }

        point = new CrashPoint(first, second);
        return true;
    }
}
