using System.Globalization;
using RecoverySim.GoldenImage.Json;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// The sizes of a board's partitions, in bytes (<c>board create --sizes boot=4M,system=16M,...</c>).
/// In profile <c>ab</c> each slot partition has its kind's size.
/// </summary>
/// <param name="Misc">misc: the boot control block and the recovery journal (at least 1 MiB).</param>
/// <param name="Boot">boot (each slot).</param>
/// <param name="System">system (each slot).</param>
/// <param name="Vendor">vendor (each slot).</param>
/// <param name="Userdata">userdata.</param>
public readonly record struct PartitionSizes(long Misc, long Boot, long System, long Vendor, long Userdata)
{
    /// <summary>Smallest slot or userdata partition: 64 KiB (a header and some payload).</summary>
    public const long MinimumPartition = 64 * 1024;

    /// <summary>Largest partition: 64 GiB.</summary>
    public const long MaximumPartition = 64L << 30;

    /// <summary>Sizes are whole multiples of this (4 KiB), so partitions stay aligned.</summary>
    public const long Granularity = 4096;

    /// <summary>Small defaults for a simulated board: misc 1M, boot 4M, system 16M, vendor 8M, userdata 8M.</summary>
    public static PartitionSizes Default => new(1 << 20, 4 << 20, 16 << 20, 8 << 20, 8 << 20);

    /// <summary>The size of a partition kind (misc, boot, system, vendor, userdata).</summary>
    public long Of(string kind) => kind switch
    {
        BoardLayout.Misc => Misc,
        "boot" => Boot,
        "system" => System,
        "vendor" => Vendor,
        BoardLayout.Userdata => Userdata,
        _ => throw new ArgumentException($"unknown partition kind {StrictJson.Quote(kind)}", nameof(kind)),
    };

    /// <summary>
    /// Parses <c>kind=SIZE[,kind=SIZE...]</c> over <paramref name="defaults"/>; SIZE is bytes or a
    /// number with K, M or G (binary units). Each kind at most once, no empty item; null is the
    /// defaults. Throws <see cref="FormatException"/> naming the bad item and the rule.
    /// </summary>
    public static PartitionSizes Parse(string? text, PartitionSizes defaults)
    {
        PartitionSizes sizes = defaults;
        if (text is null)
        {
            return sizes;
        }

        const string Kinds = "misc, boot, system, vendor, userdata";
        string[] items = text.Split(',', StringSplitOptions.TrimEntries);
        var given = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < items.Length; i++)
        {
            string item = items[i];
            if (item.Length == 0)
            {
                throw new FormatException($"item {i + 1} of {StrictJson.Quote(text)} is empty; expected kind=SIZE[,kind=SIZE...] (kinds {Kinds})");
            }

            int equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"expected kind=SIZE (kinds {Kinds}), found {StrictJson.Quote(item)}");
            }

            string kind = item[..equals];
            if (given.TryGetValue(kind, out int first))
            {
                throw new FormatException($"{kind} is given twice (items {first} and {i + 1} of {StrictJson.Quote(text)}); give each kind at most once");
            }

            if (kind is not (BoardLayout.Misc or "boot" or "system" or "vendor" or BoardLayout.Userdata))
            {
                throw new FormatException($"unknown partition kind {StrictJson.Quote(kind)} (expected {Kinds})");
            }

            given[kind] = i + 1;
            long size = ParseSize(item[(equals + 1)..], kind);
            sizes = kind switch
            {
                BoardLayout.Misc => sizes with { Misc = size },
                "boot" => sizes with { Boot = size },
                "system" => sizes with { System = size },
                "vendor" => sizes with { Vendor = size },
                BoardLayout.Userdata => sizes with { Userdata = size },
                _ => throw new ArgumentOutOfRangeException(nameof(text), kind, "checked above"),
            };
        }

        sizes.Validate();
        return sizes;
    }

    /// <summary>Throws <see cref="FormatException"/> when a size is out of range or not a multiple of <see cref="Granularity"/>.</summary>
    public void Validate()
    {
        Check("misc", Misc, Control.MiscLayout.MinimumSize);
        Check("boot", Boot, MinimumPartition);
        Check("system", System, MinimumPartition);
        Check("vendor", Vendor, MinimumPartition);
        Check("userdata", Userdata, MinimumPartition);
    }

    /// <summary>The sum of every partition of <paramref name="profile"/>, in bytes.</summary>
    public long Total(BoardProfile profile)
    {
        long total = 0;
        foreach (string name in BoardLayout.Partitions(profile))
        {
            total += Of(BoardLayout.KindOf(name));
        }

        return total;
    }

    private static void Check(string kind, long size, long minimum)
    {
        if (size < minimum || size > MaximumPartition || size % Granularity != 0)
        {
            throw new FormatException($"size of {kind}: {size} bytes; expected a multiple of {Granularity} from {minimum} to {MaximumPartition}");
        }
    }

    private static long ParseSize(string text, string kind)
    {
        long unit = 1;
        string digits = text;
        if (text.Length > 0)
        {
            switch (char.ToUpperInvariant(text[^1]))
            {
                case 'K': unit = 1L << 10; digits = text[..^1]; break;
                case 'M': unit = 1L << 20; digits = text[..^1]; break;
                case 'G': unit = 1L << 30; digits = text[..^1]; break;
            }
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > MaximumPartition / unit)
        {
            throw new FormatException($"size of {kind}: expected bytes or a number with K, M or G up to 64G, found {StrictJson.Quote(text)}");
        }

        return value * unit;
    }
}
