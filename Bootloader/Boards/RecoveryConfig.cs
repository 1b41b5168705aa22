using RecoverySim.Bootloader.Control;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// Where recovery mode fetches a golden image, and how hard it tries (board.json <c>recovery</c>,
/// docs/FORMAT.md "board"): the sources in the order they are tried, and each source's settings.
/// </summary>
public sealed record RecoveryConfig
{
    /// <summary>Most attempts one source may be given.</summary>
    public const int MaxAttempts = 100;

    /// <summary>Longest path of a stick image or local golden image (characters).</summary>
    public const int MaxPathLength = 4096;

    /// <summary>The sources, in order: distinct, never <see cref="RecoverySource.Any"/>. Default TFTP, then USB.</summary>
    /// <exception cref="ArgumentException">On init: a duplicate or <see cref="RecoverySource.Any"/>.</exception>
    public IReadOnlyList<RecoverySource> Order
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            RecoverySource[] order = [.. value];
            for (int i = 0; i < order.Length; i++)
            {
                if (order[i] == RecoverySource.Any || !Enum.IsDefined(order[i]))
                {
                    throw new ArgumentException($"Order[{i}] is {order[i]}, expected Tftp, Usb or File", nameof(Order));
                }

                if (Array.IndexOf(order, order[i]) != i)
                {
                    throw new ArgumentException($"Order[{i}] is {order[i]}, which is already listed", nameof(Order));
                }
            }

            field = order;
        }
    } = [RecoverySource.Tftp, RecoverySource.Usb];

    /// <summary>The TFTP source; default <see cref="TftpSourceConfig.Default"/>.</summary>
    public TftpSourceConfig? Tftp { get; init; } = TftpSourceConfig.Default;

    /// <summary>The USB stick; default <see cref="UsbSourceConfig.Default"/>.</summary>
    public UsbSourceConfig? Usb { get; init; } = UsbSourceConfig.Default;

    /// <summary>A local golden image; default none.</summary>
    public FileSourceConfig? File { get; init; }

    /// <summary>TFTP from 127.0.0.1:69 (<c>golden.rsim</c>), then the USB stick <c>usb.img</c> in the board directory.</summary>
    public static RecoveryConfig Default { get; } = new();

    /// <summary>True when <paramref name="source"/> has its settings here.</summary>
    public bool IsConfigured(RecoverySource source) => source switch
    {
        RecoverySource.Tftp => Tftp is not null,
        RecoverySource.Usb => Usb is not null,
        RecoverySource.File => File is not null,
        _ => false,
    };

    /// <summary>Throws <see cref="ArgumentException"/> when a source in <see cref="Order"/> has no settings.</summary>
    public void Validate()
    {
        for (int i = 0; i < Order.Count; i++)
        {
            if (!IsConfigured(Order[i]))
            {
                throw new ArgumentException($"Order[{i}] is {Order[i]}, which is not configured", nameof(Order));
            }
        }
    }

    /// <summary>Field-by-field equality, <see cref="Order"/> element by element.</summary>
    public bool Equals(RecoveryConfig? other) =>
        other is not null && Order.SequenceEqual(other.Order) && Equals(Tftp, other.Tftp) && Equals(Usb, other.Usb) && Equals(File, other.File);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Order.Count, Tftp, Usb, File);

    /// <summary>Checks the count of attempts (1 to <see cref="MaxAttempts"/>) for an init accessor.</summary>
    internal static int CheckAttempts(int value, string name) => InRange(value, 1, MaxAttempts, name);

    /// <summary><paramref name="value"/> when it is from <paramref name="min"/> to <paramref name="max"/>; else <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/>.</summary>
    internal static int InRange(int value, int min, int max, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, min, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, max, name);
        return value;
    }

    /// <summary>True for a local path a source may have: 1 to <see cref="MaxPathLength"/> characters, no NUL.</summary>
    public static bool IsPath(string? value) => value is { Length: > 0 and <= MaxPathLength } && !value.Contains('\0', StringComparison.Ordinal);

    /// <summary>Checks a local path (<see cref="IsPath"/>) for an init accessor.</summary>
    internal static string CheckPath(string value, string name) => IsPath(value) ? value
        : throw new ArgumentException($"{name} is {value?.Length ?? 0} characters or holds a NUL, expected 1 to {MaxPathLength} characters", name);
}
