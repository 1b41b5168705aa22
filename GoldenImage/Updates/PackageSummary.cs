namespace RecoverySim.GoldenImage.Updates;

/// <summary>What an update server needs to know of one package file to list it in an index.</summary>
/// <param name="Package">The index entry: kind, target release, file name, size and hashes.</param>
/// <param name="BoardIds">The boards the package's manifest names: the server lists the package only under one of them.</param>
public sealed record PackageSummary(UpdatePackage Package, IReadOnlyList<string> BoardIds);
