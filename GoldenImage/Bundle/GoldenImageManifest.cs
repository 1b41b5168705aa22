using RecoverySim.GoldenImage.Json;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// The manifest of a golden image: <c>manifest.json</c>, the first tar member, signed as exact
/// bytes by <c>manifest.sig</c>. It binds the board ids, release id, version, rollback index,
/// signing key and, per partition, member name, sizes and SHA-256 (schema in docs/FORMAT.md
/// "Golden-image bundle"). A delta package's manifest is the same record with a
/// <see cref="Source"/> release and, per partition, a <see cref="ManifestPartition.Delta"/>
/// ("Delta packages"): one parser for both. <see cref="Parse"/> is strict: unknown, missing or
/// duplicated fields, wrong types and out-of-range values are <see cref="ImageFormatException"/>s
/// naming the field.
/// </summary>
public sealed record GoldenImageManifest
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "recoverysim-golden-image";

    /// <summary>The value of the <c>format</c> field in a delta package.</summary>
    public const string DeltaFormatName = "recoverysim-delta-package";

    /// <summary>The manifest format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Largest manifest accepted: 1 MiB, checked from the tar header before reading.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Most partitions and most board ids one manifest may list.</summary>
    public const int MaxPartitions = 16, MaxBoardIds = 16;

    /// <summary>Largest member (and uncompressed image): what a ustar size field holds, 8 GiB - 1.</summary>
    public const long MaxMemberSize = UstarLayout.MaxSize;

    /// <summary>Name of the manifest member.</summary>
    public const string ManifestMember = "manifest.json";

    /// <summary>Name of the signature member.</summary>
    public const string SignatureMember = "manifest.sig";

    /// <summary>
    /// Creates a manifest, checking every value (<see cref="ArgumentException"/> for a bad one):
    /// a golden image's, or with <paramref name="source"/> a delta package's.
    /// </summary>
    public GoldenImageManifest(IReadOnlyList<string> boardIds, string releaseId, string version, ulong rollbackIndex,
        KeyId keyId, SignatureAlgorithm signatureAlgorithm, IReadOnlyList<ManifestPartition> partitions, DeltaSourceRelease? source = null)
    {
        ArgumentNullException.ThrowIfNull(boardIds);
        ArgumentNullException.ThrowIfNull(partitions);
        try
        {
            Validate(boardIds, releaseId, version, keyId, signatureAlgorithm, partitions, source, new JsonFieldValidator(ManifestMember));
        }
        catch (JsonInputException e)
        {
            throw new ArgumentException(e.Message, e);
        }

        FormatVersion = CurrentFormatVersion;
        BoardIds = [.. boardIds];
        ReleaseId = releaseId;
        Version = version;
        RollbackIndex = rollbackIndex;
        KeyId = keyId;
        SignatureAlgorithm = signatureAlgorithm;
        Partitions = [.. partitions];
        Source = source;
    }

    /// <summary>The manifest format version.</summary>
    public int FormatVersion { get; }

    /// <summary>The boards this image may be installed on.</summary>
    public IReadOnlyList<string> BoardIds { get; }

    /// <summary>The release id, also in every partition header.</summary>
    public string ReleaseId { get; }

    /// <summary>The version string, also in every partition header.</summary>
    public string Version { get; }

    /// <summary>The rollback index, also in every partition header.</summary>
    public ulong RollbackIndex { get; }

    /// <summary>The key that signed the manifest and every partition header.</summary>
    public KeyId KeyId { get; }

    /// <summary>The algorithm of that key.</summary>
    public SignatureAlgorithm SignatureAlgorithm { get; }

    /// <summary>The partitions, in the order of their tar members.</summary>
    public IReadOnlyList<ManifestPartition> Partitions { get; }

    /// <summary>In a delta package, the release it applies from; null in a golden image.</summary>
    public DeltaSourceRelease? Source { get; }

    /// <summary>Whether this is a delta package's manifest (<c>format</c> <see cref="DeltaFormatName"/>).</summary>
    public bool IsDeltaPackage => Source is not null;

    /// <summary>Field-by-field equality, lists compared element by element.</summary>
    public bool Equals(GoldenImageManifest? other) =>
        other is not null && FormatVersion == other.FormatVersion && BoardIds.SequenceEqual(other.BoardIds) && ReleaseId == other.ReleaseId
        && Version == other.Version && RollbackIndex == other.RollbackIndex && KeyId == other.KeyId
        && SignatureAlgorithm == other.SignatureAlgorithm && Partitions.SequenceEqual(other.Partitions) && Source == other.Source;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ReleaseId, Version, RollbackIndex, KeyId, Partitions.Count);

    /// <summary>The partition named <paramref name="name"/>, or null.</summary>
    public ManifestPartition? Find(string name) => Partitions.FirstOrDefault(p => p.Name == name);

    /// <summary>The manifest as the exact UTF-8 bytes of <c>manifest.json</c>: indented JSON, fields in schema order, final newline.</summary>
    public byte[] ToJson() => Format.Write(new ManifestDocument
    {
        Format = IsDeltaPackage ? DeltaFormatName : FormatName,
        FormatVersion = FormatVersion,
        BoardIds = [.. BoardIds],
        ReleaseId = ReleaseId,
        Version = Version,
        SourceReleaseId = Source?.ReleaseId,
        SourceVersion = Source?.Version,
        RollbackIndex = RollbackIndex,
        KeyId = KeyId.ToString(),
        SignatureAlgorithm = SignatureAlgorithmNames.ToName(SignatureAlgorithm),
        Partitions = [.. Partitions.Select(p => new ManifestPartitionDocument
        {
            Name = p.Name,
            Member = p.Member,
            Kind = p.Delta is null ? null : KindNames.First(k => k.Value == p.Delta.Kind).Name,
            Size = p.Size,
            Compression = CompressionNames.First(c => c.Value == p.Compression).Name,
            CompressedSize = p.CompressedSize,
            Sha256 = p.Sha256,
            CompressedSha256 = p.CompressedSha256,
            SourceSize = p.Delta?.SourceSize,
            SourceSha256 = p.Delta?.SourceSha256,
        })],
    });

    /// <summary>Parses <c>manifest.json</c> strictly (see the type's remarks).</summary>
    /// <exception cref="ImageFormatException">Not a valid manifest; the message names the JSON path, expected and found.</exception>
    public static GoldenImageManifest Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            ManifestDocument d = Format.Read(utf8, ManifestMember);
            var check = new JsonFieldValidator(ManifestMember);
            bool delta = check.Choice("$.format", d.Format, [(FormatName, false), (DeltaFormatName, true)]);
            if (d.FormatVersion != CurrentFormatVersion)
            {
                throw check.Error("$.format_version", $"{CurrentFormatVersion}", $"{d.FormatVersion}");
            }

            KeyId keyId = SignerFields.ParseKeyId(check, d.KeyId);
            SignatureAlgorithm algorithm = SignerFields.ParseAlgorithm(check, d.SignatureAlgorithm);
            var partitions = new List<ManifestPartition>(d.Partitions.Count);
            for (int i = 0; i < d.Partitions.Count; i++)
            {
                ManifestPartitionDocument p = d.Partitions[i];
                string at = StrictJson.Element("$.partitions", i);
                PartitionCompression compression = check.Choice(at + ".compression", p.Compression, CompressionNames);
                PartitionDelta? partitionDelta = null;
                if (delta)
                {
                    DeltaMemberKind kind = check.Choice(at + ".kind", p.Kind, KindNames);
                    partitionDelta = new PartitionDelta(kind, p.SourceSize ?? throw check.Error(at + ".source_size", "the source image's size", "nothing"),
                        check.Text(at + ".source_sha256", p.SourceSha256, FieldText.IsSha256Hex, "64 lowercase hex digits"));
                }
                else
                {
                    Absent(check, at + ".kind", p.Kind);
                    Absent(check, at + ".source_size", p.SourceSize);
                    Absent(check, at + ".source_sha256", p.SourceSha256);
                }

                partitions.Add(new ManifestPartition(p.Name, p.Member, p.Size, compression, p.CompressedSize, p.Sha256, p.CompressedSha256) { Delta = partitionDelta });
            }

            DeltaSourceRelease? source = null;
            if (delta)
            {
                source = new DeltaSourceRelease(check.Text("$.source_release_id", d.SourceReleaseId, _ => true, "the source release id"),
                    check.Text("$.source_version", d.SourceVersion, _ => true, "the source version"));
            }
            else
            {
                Absent(check, "$.source_release_id", d.SourceReleaseId);
                Absent(check, "$.source_version", d.SourceVersion);
            }

            Validate(d.BoardIds, d.ReleaseId, d.Version, keyId, algorithm, partitions, source, check);
            return new GoldenImageManifest(d.BoardIds, d.ReleaseId, d.Version, d.RollbackIndex, keyId, algorithm, partitions, source);
        }
        catch (JsonInputException e)
        {
            throw new ImageFormatException(e.Message, ManifestMember, e.Field, e);
        }
    }

    /// <summary>The strict JSON format of <c>manifest.json</c>: at most <see cref="MaxLength"/> bytes, 8 levels.</summary>
    private static StrictJsonFormat<ManifestDocument> Format { get; } = new(ManifestJsonContext.Default, MaxLength, maxDepth: 8);

    private static readonly (string Name, PartitionCompression Value)[] CompressionNames =
        [("none", PartitionCompression.None), ("zstd", PartitionCompression.Zstd), ("bsdiff40", PartitionCompression.Bsdiff40)];

    private static readonly (string Name, DeltaMemberKind Value)[] KindNames = [("patch", DeltaMemberKind.Patch), ("full", DeltaMemberKind.Full)];

    /// <summary>A field only delta packages have must be absent from a golden image.</summary>
    private static void Absent<T>(JsonFieldValidator check, string path, T? value)
    {
        if (value is not null)
        {
            throw check.Error(path, $"nothing (a field of {DeltaFormatName} manifests only)", $"{value}");
        }
    }

    /// <summary>Checks the values a manifest may hold; throws a <see cref="JsonInputException"/> naming the JSON path.</summary>
    private static void Validate(IReadOnlyList<string> boardIds, string releaseId, string version, KeyId keyId, SignatureAlgorithm algorithm,
        IReadOnlyList<ManifestPartition> partitions, DeltaSourceRelease? source, JsonFieldValidator check)
    {
        const string Identifier = "1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit";
        check.Count("$.board_ids", boardIds, 1, MaxBoardIds, "board ids");
        for (int i = 0; i < boardIds.Count; i++)
        {
            string at = StrictJson.Element("$.board_ids", i);
            check.Text(at, boardIds[i], FieldText.IsIdentifier, Identifier);
            if (boardIds.Take(i).Contains(boardIds[i]))
            {
                throw check.Error(at, "distinct board ids", $"{StrictJson.Quote(boardIds[i])} a second time");
            }
        }

        string versionRule = $"1 to {FieldText.MaxTextLength} printable ASCII characters without leading or trailing spaces";
        check.Text("$.release_id", releaseId, FieldText.IsIdentifier, Identifier);
        check.Text("$.version", version, FieldText.IsVersion, versionRule);
        if (source is not null)
        {
            check.Text("$.source_release_id", source.ReleaseId, FieldText.IsIdentifier, Identifier);
            check.Text("$.source_version", source.Version, FieldText.IsVersion, versionRule);
        }

        SignerFields.Check(check, keyId, algorithm);

        check.Count("$.partitions", partitions, 1, MaxPartitions, "partitions");
        for (int i = 0; i < partitions.Count; i++)
        {
            string at = StrictJson.Element("$.partitions", i);
            ManifestPartition p = partitions[i] ?? throw check.Error(at, "an object", "null");
            check.Text(at + ".name", p.Name, FieldText.IsPartitionName, $"1 to {FieldText.MaxPartitionNameLength} of a-z 0-9 _ - starting with a letter");
            if (partitions.Take(i).Any(q => q.Name == p.Name))
            {
                throw check.Error(at + ".name", "distinct partition names", $"{StrictJson.Quote(p.Name)} a second time");
            }

            CheckDelta(check, at, p, source is not null);
            string member = ManifestPartition.MemberNameFor(p.Name, p.Compression);
            check.Text(at + ".member", p.Member, m => m == member, StrictJson.Quote(member));
            check.Integer(at + ".size", p.Size, PartitionHeader.Size, MaxMemberSize);
            if (p.Compression == PartitionCompression.None && p.CompressedSize != p.Size)
            {
                throw check.Error(at + ".compressed_size", $"{p.Size} (the size: not compressed)", $"{p.CompressedSize}");
            }

            check.Integer(at + ".compressed_size", p.CompressedSize, 1, MaxMemberSize);

            check.Text(at + ".sha256", p.Sha256, FieldText.IsSha256Hex, "64 lowercase hex digits");
            check.Text(at + ".compressed_sha256", p.CompressedSha256,
                p.Compression == PartitionCompression.None ? h => h == p.Sha256 : FieldText.IsSha256Hex,
                p.Compression == PartitionCompression.None ? $"{StrictJson.Quote(p.Sha256)} (the sha256: not compressed)" : "64 lowercase hex digits");
        }
    }

    /// <summary>A golden image's partition has no delta fields and no patch; a delta package's has both kinds, each with its compressions and a source image.</summary>
    private static void CheckDelta(JsonFieldValidator check, string at, ManifestPartition p, bool deltaPackage)
    {
        if (!deltaPackage)
        {
            if (p.Delta is not null)
            {
                throw check.Error(at + ".kind", "nothing (a field of delta packages only)", "a delta member");
            }

            if (p.Compression == PartitionCompression.Bsdiff40)
            {
                throw check.Error(at + ".compression", "\"none\" or \"zstd\" (a golden image holds no patches)", "\"bsdiff40\"");
            }

            return;
        }

        PartitionDelta d = p.Delta ?? throw check.Error(at + ".kind", "\"patch\" or \"full\"", "nothing");
        bool patch = d.Kind == DeltaMemberKind.Patch;
        if (patch != (p.Compression == PartitionCompression.Bsdiff40))
        {
            throw check.Error(at + ".compression", patch ? "\"bsdiff40\" (kind patch)" : "\"none\" or \"zstd\" (kind full)", StrictJson.Quote(CompressionNames.First(c => c.Value == p.Compression).Name));
        }

        check.Integer(at + ".source_size", d.SourceSize, PartitionHeader.Size, MaxMemberSize);
        check.Text(at + ".source_sha256", d.SourceSha256, FieldText.IsSha256Hex, "64 lowercase hex digits");
    }
}
