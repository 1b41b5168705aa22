using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.PowerCut.Tests;

/// <summary>The crash states the power-cut tests over long runs (factory flash, recovery) explore in their write logs.</summary>
public static class CrashStateSelection
{
    /// <summary>
    /// Every prefix; the lost-cache subsets of <see cref="CrashState.Enumerate"/> (all of them when
    /// there are at most <paramref name="maxCacheStatesPerPrefix"/>, else seeded ones); and three
    /// tears of every multi-sector write: after its first sector, half of it and all but one. (Every
    /// tear point of a factory flash would be 11,000 states, each a boot and most a recovery; a
    /// verifier reads every tear inside a write alike, as a hash or signature that does not match.)
    /// </summary>
    public static IEnumerable<CrashState> Of(WriteLog log, int maxCacheStatesPerPrefix, long seed) =>
        CrashState.Enumerate(log, maxCacheStatesPerPrefix, seed).Where(s =>
        {
            if (!s.IsTorn)
            {
                return true;
            }

            long sectors = log[s.Prefix].SectorCount;
            return s.TornSectors == 1 || s.TornSectors == sectors / 2 || s.TornSectors == sectors - 1;
        });
}
