using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Lab.Updates;

/// <summary>A package file as the server last read it: its index entry, and the length and time the entry was computed for.</summary>
/// <param name="Entry">The index entry (its <c>sha256</c> is the response's strong ETag).</param>
/// <param name="Path">The file.</param>
/// <param name="LastWriteUtc">The file's modification time when it was hashed: a file whose length or time differs is read again before it is served.</param>
internal sealed record CatalogPackage(UpdatePackage Entry, string Path, DateTime LastWriteUtc);
