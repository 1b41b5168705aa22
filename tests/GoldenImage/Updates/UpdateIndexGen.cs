using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.GoldenImage.Tests.Updates;

/// <summary>Generators of valid update indexes: releases with distinct rollback indexes, a full package each, deltas between them.</summary>
internal static class UpdateIndexGen
{
    public static readonly DateTimeOffset Issued = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Gen<string> Identifier = Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], Gen.String[Gen.Char["abcXYZ0123456789._-"], 0, 20]).Select((c, s) => c + s);

    private static readonly Gen<string> Version = Gen.String[Gen.Char[' ', '~'], 1, 30].Where(FieldText.IsVersion);

    private static readonly Gen<string> Hex = Gen.Byte.Array[32].Select(Convert.ToHexStringLower);

    public static readonly Gen<UpdateIndex> Index =
        Gen.Select(Identifier, Identifier, Gen.Long[1, long.MaxValue], Gen.Long[0, 366L * 86400 - 1], Gen.Int[0, 5], Gen.Int[0, 3])
            .SelectMany((board, channel, sequence, seconds, releases, deltas) =>
                Gen.Select(Version.Array[releases], Gen.ULong.Array[releases], Gen.Long[1, UpdateIndex.MaxPackageSize].Array[releases + deltas], Hex.Array[2 * (releases + deltas)], Gen.Int[0, 1000].Array[2 * deltas])
                    .Select((versions, rollbacks, sizes, hashes, pairs) =>
                    {
                        ulong[] distinct = [.. rollbacks.Distinct()];
                        var packages = new List<UpdatePackage>();
                        for (int i = 0; i < distinct.Length; i++)
                        {
                            packages.Add(new UpdatePackage(UpdatePackageKind.Full, $"r-{i}", versions[i], distinct[i], null, $"r{i}.rsim", sizes[i], hashes[2 * i], hashes[(2 * i) + 1]));
                        }

                        for (int d = 0; d < deltas && distinct.Length >= 2; d++)
                        {
                            int to = pairs[2 * d] % distinct.Length, from = (to + 1 + (pairs[(2 * d) + 1] % (distinct.Length - 1))) % distinct.Length;
                            if (!packages.Any(p => p.Kind == UpdatePackageKind.Delta && p.ReleaseId == $"r-{to}" && p.FromRelease == $"r-{from}"))
                            {
                                int k = distinct.Length + d;
                                packages.Add(new UpdatePackage(UpdatePackageKind.Delta, $"r-{to}", versions[to], distinct[to], $"r-{from}", $"r{to}-from-r{from}.rsim", sizes[k], hashes[2 * k], hashes[(2 * k) + 1]));
                            }
                        }

                        UpdateRelease? latest = packages.Count == 0 ? null : packages.Where(p => p.Kind == UpdatePackageKind.Full).MaxBy(p => p.RollbackIndex)!.Target;
                        return new UpdateIndex(board, channel, sequence, Issued, Issued.AddSeconds(seconds + 1), TestKeys.Ed25519.KeyId, SignatureAlgorithm.Ed25519, latest, packages);
                    }));
}
