using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.Lab.Campaigns;

/// <summary>
/// Where power was cut in a recorded run of a board: a crash state of the disk's write log (docs/FORMAT.md
/// "Write log and crash-state ids") and how many of the RPMB writes issued at exactly that point of
/// the disk log had landed. RPMB writes are atomic and ordered with the disk's by the disk log's
/// length when each was issued: those issued before the disk entry at the cut always landed, those
/// after never did, and the ones issued in between (the cut may fall before or after each) are
/// counted by <see cref="ExtraRpmb"/>.
/// </summary>
/// <remarks>Id: the disk state's id, then <c>+r</c>N when N &gt; 0: <c>p57</c>, <c>p57+r1</c>, <c>p57-t3</c>.</remarks>
public readonly record struct BoardCut(CrashState Disk, int ExtraRpmb)
{
    /// <summary>The cut after the first <paramref name="prefix"/> disk entries, RPMB writes up to that point included as described.</summary>
    public static BoardCut After(int prefix) => new(CrashState.AfterPrefix(prefix), 0);

    /// <inheritdoc/>
    public override string ToString() => ExtraRpmb > 0 ? $"{Disk}+r{ExtraRpmb.ToString(CultureInfo.InvariantCulture)}" : Disk.ToString();

    /// <summary>Parses an id of <see cref="ToString"/>'s form.</summary>
    /// <exception cref="FormatException">Not such an id, saying why.</exception>
    public static BoardCut Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return TryParse(id, out BoardCut cut, out string? error) ? cut : throw new FormatException(error);
    }

    /// <summary>Parses an id; false (with the reason) when it is not one.</summary>
    public static bool TryParse(string? id, out BoardCut cut, [NotNullWhen(false)] out string? error)
    {
        cut = default;
        if (string.IsNullOrEmpty(id))
        {
            error = "an empty crash id";
            return false;
        }

        int plus = id.IndexOf("+r", StringComparison.Ordinal);
        int extra = 0;
        string disk = plus < 0 ? id : id[..plus];
        if (plus >= 0)
        {
            string count = id[(plus + 2)..];
            if (count.Length is 0 or > 6 || count[0] == '0' || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out extra))
            {
                error = $"crash id '{Shorten(id)}': after +r comes a count of 1 to 999999 without leading zeros";
                return false;
            }
        }

        if (!CrashState.TryParse(disk, out CrashState state))
        {
            try
            {
                CrashState.Parse(disk);
            }
            catch (FormatException e)
            {
                error = e.Message;
                return false;
            }
        }

        cut = new BoardCut(state, extra);
        error = null;
        return true;
    }

    private static string Shorten(string id) => id.Length <= 40 ? id : id[..40] + "...";
}
