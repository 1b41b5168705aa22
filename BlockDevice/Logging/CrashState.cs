using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RecoverySim.BlockDevice.Logging;

/// <summary>
/// One state a device may be in after a power cut during a recorded run: the base image plus a
/// part of a <see cref="WriteLog"/>. Its short text id (<see cref="ToString"/>) parses back
/// (<see cref="Parse"/>) and rebuilds exactly the same state over the same base and log.
/// </summary>
/// <remarks>
/// <para>Id grammar (docs/FORMAT.md, "Write log and crash-state ids"):</para>
/// <code>
/// id     = "p" count [ "-c" mask | "-t" count ]
/// count  = "0" | nonzero-digit *digit        ; decimal, no leading zeros, at most int.MaxValue
/// mask   = "0" | nonzero-hexdig *hexdig      ; lowercase hex, no leading zeros
/// </code>
/// <list type="bullet">
/// <item><c>p&lt;k&gt;</c>: power was cut after the first k entries were issued, and all of them reached the medium.</item>
/// <item><c>p&lt;k&gt;-c&lt;mask&gt;</c>: the same cut, but the volatile cache lost some writes: everything up to the last
/// flush among the k entries and every FUA write landed; of the volatile entries after that flush (non-FUA writes
/// and discards, numbered from 0 in issue order), entry i landed when bit i of the mask is set.</item>
/// <item><c>p&lt;k&gt;-t&lt;n&gt;</c>: the first k entries landed and entry k, a write, was torn: only its first n sectors landed.</item>
/// </list>
/// </remarks>
public readonly record struct CrashState
{
    /// <summary>Longest id <see cref="Parse"/> accepts, in characters (a mask of 262,144 cached writes).</summary>
    public const int MaxIdLength = 65_536 + 32;

    private CrashState(int prefix, string? cacheMask, int tornSectors)
    {
        Prefix = prefix;
        CacheMask = cacheMask;
        TornSectors = tornSectors;
    }

    /// <summary>Entries issued before the cut (k).</summary>
    public int Prefix { get; }

    /// <summary>The cache mask in lowercase hex without leading zeros, or null when the whole prefix landed.</summary>
    public string? CacheMask { get; }

    /// <summary>Sectors of write entry <see cref="Prefix"/> that landed, or -1 when no write was torn.</summary>
    public int TornSectors { get; }

    /// <summary>True for a <c>-c</c> state.</summary>
    public bool HasCacheLoss => CacheMask is not null;

    /// <summary>True for a <c>-t</c> state.</summary>
    public bool IsTorn => TornSectors >= 0;

    /// <summary>The state where the first <paramref name="prefix"/> entries all landed.</summary>
    public static CrashState AfterPrefix(int prefix)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        return new CrashState(prefix, null, -1);
    }

    /// <summary>
    /// The state where, of the volatile entries after the last flush among the first
    /// <paramref name="prefix"/>, those whose index is set in <paramref name="landed"/> landed.
    /// </summary>
    public static CrashState WithCacheLoss(int prefix, ReadOnlySpan<bool> landed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        int last = landed.LastIndexOf(true);
        if (last < 0)
        {
            return new CrashState(prefix, "0", -1);
        }

        char[] hex = new char[last / 4 + 1];
        for (int digit = 0; digit < hex.Length; digit++)
        {
            int value = 0;
            for (int b = 0; b < 4; b++)
            {
                int i = digit * 4 + b;
                if (i < landed.Length && landed[i])
                {
                    value |= 1 << b;
                }
            }

            hex[hex.Length - 1 - digit] = "0123456789abcdef"[value];
        }

        return new CrashState(prefix, new string(hex), -1);
    }

    /// <summary>The state where the first <paramref name="prefix"/> entries landed and write entry <c>prefix</c> landed its first <paramref name="landedSectors"/> sectors.</summary>
    public static CrashState TornWrite(int prefix, int landedSectors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(landedSectors);
        return new CrashState(prefix, null, landedSectors);
    }

    /// <summary>
    /// The crash states a campaign explores over <paramref name="log"/>, in log order: for every
    /// prefix k (0 to the log's length), <c>p&lt;k&gt;</c>; then its cache-loss states — all of them
    /// when the <c>m</c> volatile entries give at most <paramref name="maxCacheStatesPerPrefix"/>
    /// subsets (2^m), else "none landed" plus seeded random subsets up to that many; then, when
    /// entry k is a write of s &gt; 1 sectors, <c>p&lt;k&gt;-t1</c> … <c>-t(s-1)</c>.
    /// </summary>
    public static IEnumerable<CrashState> Enumerate(WriteLog log, int maxCacheStatesPerPrefix = 16, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCacheStatesPerPrefix);
        var random = new Faults.SeededRandom(seed);
        for (int k = 0; k <= log.Count; k++)
        {
            yield return AfterPrefix(k);
            int m = log.VolatileCount(k);
            if (m > 0 && maxCacheStatesPerPrefix > 0)
            {
                bool[] landed = new bool[m];
                if (m < 31 && 1 << m <= maxCacheStatesPerPrefix)
                {
                    // Every subset except "all landed", which is p<k> itself.
                    for (int mask = 0; mask < (1 << m) - 1; mask++)
                    {
                        for (int i = 0; i < m; i++)
                        {
                            landed[i] = (mask >> i & 1) != 0;
                        }

                        yield return WithCacheLoss(k, landed);
                    }
                }
                else
                {
                    yield return WithCacheLoss(k, landed);
                    for (int n = 1; n < maxCacheStatesPerPrefix; n++)
                    {
                        for (int i = 0; i < m; i++)
                        {
                            landed[i] = random.NextBool();
                        }

                        yield return WithCacheLoss(k, landed);
                    }
                }
            }

            if (k < log.Count && log[k].Kind == WriteLogEntryKind.Write)
            {
                for (int t = 1; t < log[k].SectorCount; t++)
                {
                    yield return TornWrite(k, t);
                }
            }
        }
    }

    /// <summary>Whether volatile entry <paramref name="index"/> (after the last flush) landed.</summary>
    public bool Landed(int index)
    {
        if (CacheMask is null)
        {
            return true;
        }

        int digit = CacheMask.Length - 1 - index / 4;
        return digit >= 0 && (HexValue(CacheMask[digit]) >> (index % 4) & 1) != 0;
    }

    /// <summary>The id, e.g. <c>p1234</c>, <c>p1234-c1f</c>, <c>p1234-t3</c>.</summary>
    public override string ToString()
    {
        string prefix = "p" + Prefix.ToString(CultureInfo.InvariantCulture);
        if (CacheMask is not null)
        {
            return prefix + "-c" + CacheMask;
        }

        return TornSectors >= 0 ? prefix + "-t" + TornSectors.ToString(CultureInfo.InvariantCulture) : prefix;
    }

    /// <summary>Parses an id of the grammar above; only the canonical form is accepted, so parse and print round-trip.</summary>
    /// <exception cref="FormatException">The id is not of the grammar, naming what was wrong.</exception>
    public static CrashState Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return TryParse(id, out CrashState state, out string? error) ? state : throw new FormatException($"crash-state id '{Shorten(id)}': {error}");
    }

    /// <summary>Parses an id; false when it is not of the grammar.</summary>
    public static bool TryParse([NotNullWhen(true)] string? id, out CrashState state) => TryParse(id, out state, out _);

    /// <summary>
    /// Rebuilds the state as a copy-on-write overlay over <paramref name="baseImage"/> (which is
    /// never written), in O(1): reads find each sector's data through the log's index; writes
    /// stay in the overlay.
    /// </summary>
    /// <exception cref="ArgumentException">The state does not fit the log (a prefix past its end, a torn entry that is no write or too few sectors, mask bits past the volatile entries).</exception>
    public OverlayBlockDevice Open(IBlockDevice baseImage, WriteLog log)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        ArgumentNullException.ThrowIfNull(log);
        if (baseImage.SectorSize != log.SectorSize || baseImage.SectorCount != log.SectorCount)
        {
            throw new ArgumentException($"the log is for {log.SectorCount} sectors of {log.SectorSize} bytes, the base has {baseImage.SectorCount} of {baseImage.SectorSize}", nameof(log));
        }

        Validate(log);
        return new OverlayBlockDevice(baseImage, log.Index, this);
    }

    /// <summary>
    /// The naive rebuild, for tests and as the benchmark's baseline: replays the landed entries
    /// in order onto <paramref name="target"/> (a copy of the base image).
    /// </summary>
    public void ReplayOnto(IBlockDevice target, WriteLog log)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(log);
        Validate(log);
        int durable = log.DurableCount(Prefix);
        int volatileIndex = 0;
        for (int j = 0; j < Prefix; j++)
        {
            WriteLogEntry entry = log[j];
            bool landed = true;
            if (j >= durable && entry.IsVolatile)
            {
                landed = Landed(volatileIndex);
                volatileIndex++;
            }

            if (landed)
            {
                Apply(target, log, j, entry.SectorCount);
            }
        }

        if (TornSectors > 0)
        {
            Apply(target, log, Prefix, TornSectors);
        }
    }

    private static void Apply(IBlockDevice target, WriteLog log, int j, long sectors)
    {
        WriteLogEntry entry = log[j];
        switch (entry.Kind)
        {
            case WriteLogEntryKind.Write:
                target.Write(entry.Sector, log.GetData(j)[..checked((int)(sectors * log.SectorSize))]);
                break;
            case WriteLogEntryKind.Discard:
                target.Discard(entry.Sector, sectors);
                break;
        }
    }

    private void Validate(WriteLog log)
    {
        if (Prefix > log.Count)
        {
            throw new ArgumentException($"crash state {this} needs {Prefix} log entries, the log has {log.Count}", nameof(log));
        }

        if (TornSectors >= 0)
        {
            if (Prefix >= log.Count || log[Prefix].Kind != WriteLogEntryKind.Write)
            {
                throw new ArgumentException($"crash state {this} tears entry {Prefix}, which is not a write of the log ({log.Count} entries)", nameof(log));
            }

            if (TornSectors >= log[Prefix].SectorCount)
            {
                throw new ArgumentException($"crash state {this} lands {TornSectors} sectors of entry {Prefix}, which writes only {log[Prefix].SectorCount}", nameof(log));
            }
        }

        if (CacheMask is not null)
        {
            int volatileCount = log.VolatileCount(Prefix);
            int maxBits = CacheMask.Length * 4;
            for (int i = volatileCount; i < maxBits; i++)
            {
                if (Landed(i))
                {
                    throw new ArgumentException($"crash state {this} sets mask bit {i}, but only {volatileCount} entries are volatile at prefix {Prefix}", nameof(log));
                }
            }
        }
    }

    private static bool TryParse(string? id, out CrashState state, [NotNullWhen(false)] out string? error)
    {
        state = default;
        if (id is null || id.Length == 0)
        {
            error = "empty";
            return false;
        }

        if (id.Length > MaxIdLength)
        {
            error = $"length {id.Length} is above the limit {MaxIdLength}";
            return false;
        }

        if (id[0] != 'p')
        {
            error = "expected 'p' at offset 0";
            return false;
        }

        int pos = 1;
        if (!TryParseCount(id, ref pos, out int prefix, out error))
        {
            return false;
        }

        if (pos == id.Length)
        {
            state = new CrashState(prefix, null, -1);
            return true;
        }

        if (id[pos] != '-' || pos + 1 >= id.Length)
        {
            error = $"expected '-c' or '-t' at offset {pos}";
            return false;
        }

        char kind = id[pos + 1];
        pos += 2;
        if (kind == 't')
        {
            if (!TryParseCount(id, ref pos, out int torn, out error))
            {
                return false;
            }

            if (pos != id.Length)
            {
                error = $"unexpected '{id[pos]}' at offset {pos}";
                return false;
            }

            state = new CrashState(prefix, null, torn);
            return true;
        }

        if (kind != 'c')
        {
            error = $"expected 'c' or 't' at offset {pos - 1}, found '{kind}'";
            return false;
        }

        string mask = id[pos..];
        if (mask.Length == 0)
        {
            error = $"expected a hex mask at offset {pos}";
            return false;
        }

        for (int i = 0; i < mask.Length; i++)
        {
            if (HexValue(mask[i]) < 0)
            {
                error = $"'{mask[i]}' at offset {pos + i} is not a lowercase hex digit";
                return false;
            }
        }

        if (mask.Length > 1 && mask[0] == '0')
        {
            error = $"leading zero in the mask at offset {pos}";
            return false;
        }

        state = new CrashState(prefix, mask, -1);
        return true;
    }

    private static bool TryParseCount(string id, ref int pos, out int value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        int start = pos;
        long acc = 0;
        while (pos < id.Length && id[pos] is >= '0' and <= '9')
        {
            acc = acc * 10 + (id[pos] - '0');
            if (acc > int.MaxValue)
            {
                error = $"number at offset {start} is above {int.MaxValue}";
                return false;
            }

            pos++;
        }

        if (pos == start)
        {
            error = $"expected a decimal number at offset {start}";
            return false;
        }

        if (pos - start > 1 && id[start] == '0')
        {
            error = $"leading zero in the number at offset {start}";
            return false;
        }

        value = (int)acc;
        error = null;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    private static string Shorten(string id) => id.Length <= 64 ? id : id[..64] + "...";
}
