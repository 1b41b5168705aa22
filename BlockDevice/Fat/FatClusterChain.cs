namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// Follows cluster chains through the FAT copies and decides which copy to believe
/// (docs/FORMAT.md, "USB stick (FAT)", "Which FAT copy is used").
/// </summary>
/// <remarks>
/// <para>A chain is walked in each usable copy (<see cref="FatTable.Copies"/>). An entry whose
/// sector cannot be read in one copy is taken from the other. A walk is <em>invalid</em> when it
/// meets a free (0), reserved (1) or bad entry, or a next cluster past the end of the volume,
/// before it is complete; when it visits a cluster twice (a loop); when a file's chain ends
/// (end-of-chain mark) before its size is covered; when a directory's chain passes its bound; or
/// when an entry is unreadable in every copy.</para>
/// <para>A file's chain is walked for exactly the clusters its size needs; the entry of its last
/// cluster is not read (a longer chain is not an error, as for every FAT driver). A directory's
/// chain is walked up to its end-of-chain mark.</para>
/// <para>Both walks valid and equal: the chain. One valid: that one (the other copy is damaged,
/// reported in the problems). Both valid but different: the copies contradict each other and
/// neither can be trusted (a cross-linked cluster is the usual cause): <see cref="FatFormatException"/>.
/// Both invalid: <see cref="FatFormatException"/> with both reasons.</para>
/// </remarks>
internal static class FatClusterChain
{
    /// <summary>
    /// The runs of the chain from <paramref name="first"/>: exactly <paramref name="neededClusters"/>
    /// clusters for a file, or up to the end-of-chain mark (at most <paramref name="maxClusters"/>)
    /// for a directory (<paramref name="neededClusters"/> null).
    /// </summary>
    /// <param name="table">The FAT.</param>
    /// <param name="first">The first cluster (from the directory entry or BPB_RootClus).</param>
    /// <param name="neededClusters">Clusters the file's size needs; null for a directory.</param>
    /// <param name="maxClusters">Bound of a directory chain.</param>
    /// <param name="what">The file or directory, for messages ("file '/recovery/golden.rsim'").</param>
    /// <param name="problems">Gets one line when one copy was damaged and the other used.</param>
    public static ClusterRun[] Resolve(FatTable table, uint first, long? neededClusters, long maxClusters, string what, List<string> problems)
    {
        if (first < 2 || first > table.MaxCluster)
        {
            throw new FatFormatException($"{what}: first cluster {first} is outside the clusters [2, {table.MaxCluster}] of the volume");
        }

        if (neededClusters > table.MaxCluster - 1)
        {
            throw new FatFormatException($"{what}: its size needs {neededClusters} clusters, the volume has only {table.MaxCluster - 1}");
        }

        int[] copies = table.Copies;
        var walks = new (ClusterRun[]? Runs, string? Error, Exception? Inner)[copies.Length];
        for (int i = 0; i < copies.Length; i++)
        {
            walks[i] = Walk(table, copies, i, first, neededClusters, maxClusters);
        }

        (ClusterRun[]? chosen, string? _, Exception? _) = walks[0];
        if (copies.Length == 1)
        {
            return chosen ?? throw Failure(what, walks, copies);
        }

        ClusterRun[]? other = walks[1].Runs;
        if (chosen is not null && other is not null)
        {
            if (!chosen.AsSpan().SequenceEqual(other))
            {
                throw new FatFormatException(
                    $"{what}: FAT #{copies[0] + 1} and FAT #{copies[1] + 1} give different valid chains from cluster {first} ({Describe(chosen)} and {Describe(other)}); neither can be trusted");
            }

            return chosen;
        }

        if (chosen is not null)
        {
            AddOnce(problems, $"{what}: FAT #{copies[1] + 1} is damaged ({walks[1].Error}); FAT #{copies[0] + 1} used");
            return chosen;
        }

        if (other is not null)
        {
            AddOnce(problems, $"{what}: FAT #{copies[0] + 1} is damaged ({walks[0].Error}); FAT #{copies[1] + 1} used");
            return other;
        }

        throw Failure(what, walks, copies);
    }

    private static FatFormatException Failure(string what, (ClusterRun[]? Runs, string? Error, Exception? Inner)[] walks, int[] copies)
    {
        string reasons = string.Join("; ", walks.Select((w, i) => $"FAT #{copies[i] + 1}: {w.Error}"));
        Exception? inner = walks.Select(w => w.Inner).FirstOrDefault(e => e is not null);
        string message = $"{what}: no valid cluster chain ({reasons})";
        return inner is null ? new FatFormatException(message) : new FatFormatException(message, inner);
    }

    private static (ClusterRun[]? Runs, string? Error, Exception? Inner) Walk(FatTable table, int[] copies, int preferred, uint first, long? needed, long maxClusters)
    {
        var runs = new List<ClusterRun>();
        HashSet<uint>? visited = needed is null ? [] : null; // a directory chain is short: catch its loop at once
        uint current = first;
        long count = 0;
        while (true)
        {
            if (visited is not null && !visited.Add(current))
            {
                return (null, $"the chain visits cluster {current} twice (a loop)", null);
            }

            if (runs.Count > 0 && runs[^1].End == current)
            {
                runs[^1] = runs[^1] with { Count = runs[^1].Count + 1 };
            }
            else
            {
                runs.Add(new ClusterRun(current, 1));
            }

            count++;
            if (needed is null && count > maxClusters)
            {
                return (null, $"the directory passes {maxClusters} clusters (the bound of {FatVolume.MaxDirectoryEntries} entries) at cluster {current}", null);
            }

            if (!TryReadEntry(table, copies, preferred, current, out uint next, out MediumException? unreadable))
            {
                return (null, $"the FAT entry of cluster {current} cannot be read in any copy ({unreadable!.Message})", unreadable);
            }

            FatEntryKind kind = table.Classify(next);
            if (kind == FatEntryKind.EndOfChain)
            {
                if (needed is null || needed == count)
                {
                    break;
                }

                return (null, $"the chain ends at cluster {current} after {count} clusters, the size needs {needed}", null);
            }

            if (needed == count)
            {
                // A chain that came back to a cluster repeats for ever: that is why it did not end.
                return (null, FindRevisit(runs) ?? $"the chain goes on after cluster {current}, its {count}th and the last the size needs (FAT entry 0x{next:X}, not end-of-chain)", null);
            }

            if (kind != FatEntryKind.Next)
            {
                string meaning = kind switch
                {
                    FatEntryKind.Free => "a free cluster (0)",
                    FatEntryKind.Reserved => "the reserved value 1",
                    FatEntryKind.Bad => "the bad-cluster mark",
                    _ => $"cluster {next}, past the last cluster {table.MaxCluster}",
                };
                return (null, $"the FAT entry of cluster {current} (cluster {count} of the chain) is {meaning}", null);
            }

            current = next;
        }

        return ([.. runs], null, null);
    }

    /// <summary>The entry from copy <paramref name="preferred"/>, or from another copy when its sector is unreadable.</summary>
    private static bool TryReadEntry(FatTable table, int[] copies, int preferred, uint cluster, out uint value, out MediumException? error)
    {
        if (table.TryRead(copies[preferred], cluster, out value, out error))
        {
            return true;
        }

        for (int i = 0; i < copies.Length; i++)
        {
            if (i != preferred && table.TryRead(copies[i], cluster, out value, out _))
            {
                error = null;
                return true;
            }
        }

        return false;
    }

    /// <summary>A chain that visits a cluster twice loops; with the runs sorted, two that overlap show it. Null when none does.</summary>
    private static string? FindRevisit(List<ClusterRun> runs)
    {
        if (runs.Count < 2)
        {
            return null;
        }

        ClusterRun[] sorted = [.. runs];
        Array.Sort(sorted, (a, b) => a.First.CompareTo(b.First));
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].First < sorted[i - 1].End)
            {
                return $"the chain visits cluster {sorted[i].First} twice (a loop)";
            }
        }

        return null;
    }

    private static void AddOnce(List<string> problems, string problem)
    {
        if (!problems.Contains(problem))
        {
            problems.Add(problem);
        }
    }

    private static string Describe(ClusterRun[] runs) =>
        string.Join(",", runs.Take(4).Select(r => r.Count == 1 ? $"{r.First}" : $"{r.First}-{r.End - 1}")) + (runs.Length > 4 ? ",…" : string.Empty);
}
