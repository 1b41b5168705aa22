namespace RecoverySim.BlockDevice.Logging;

/// <summary>
/// Built once per log, read by every crash state over it: for each sector, the ascending
/// positions of the entries that changed it; for each prefix length, where the durable part
/// ends; and a running count of volatile entries. With it a crash state is O(1) to open and
/// O(log n) per sector to read (a binary search for the last entry before the cut), never a
/// replay of the log.
/// </summary>
internal sealed class WriteLogIndex
{
    private readonly Dictionary<long, int[]> _bySector;
    private readonly int[] _durableCount;
    private readonly int[] _volatileRank;

    public WriteLogIndex(WriteLog log)
    {
        Log = log;
        int n = log.Count;
        EntryCount = n;
        var lists = new Dictionary<long, List<int>>();
        _durableCount = new int[n + 1];
        _volatileRank = new int[n + 1];
        int durable = 0;
        int volatileSoFar = 0;
        for (int j = 0; j < n; j++)
        {
            WriteLogEntry entry = log[j];
            _durableCount[j] = durable;
            _volatileRank[j] = volatileSoFar;
            if (entry.Kind == WriteLogEntryKind.Flush)
            {
                durable = j + 1;
            }
            else
            {
                for (long s = entry.Sector; s < entry.Sector + entry.SectorCount; s++)
                {
                    if (!lists.TryGetValue(s, out List<int>? list))
                    {
                        list = new List<int>(2);
                        lists[s] = list;
                    }

                    list.Add(j);
                }
            }

            if (entry.IsVolatile)
            {
                volatileSoFar++;
            }
        }

        _durableCount[n] = durable;
        _volatileRank[n] = volatileSoFar;
        _bySector = new Dictionary<long, int[]>(lists.Count);
        foreach ((long sector, List<int> list) in lists)
        {
            _bySector[sector] = [.. list];
        }
    }

    public WriteLog Log { get; }

    public int EntryCount { get; }

    /// <summary>Entries durable after a cut following the first <paramref name="prefix"/> entries.</summary>
    public int DurableCount(int prefix) => _durableCount[prefix];

    /// <summary>Volatile entries among the first <paramref name="prefix"/> entries.</summary>
    public int VolatileRank(int prefix) => _volatileRank[prefix];

    /// <summary>Ascending positions of the entries that changed <paramref name="sector"/>, or empty.</summary>
    public ReadOnlySpan<int> EntriesOf(long sector) => _bySector.TryGetValue(sector, out int[]? list) ? list : [];
}
