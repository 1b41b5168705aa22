using System.Buffers;
using System.Text.Json;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.GoldenImage.Bundle;

/// <summary>
/// The manifest of a golden image: <c>manifest.json</c>, the first tar member, signed as exact
/// bytes by <c>manifest.sig</c>. It binds the board ids, release id, version, rollback index,
/// signing key and, per partition, member name, sizes and SHA-256 (schema in docs/FORMAT.md
/// "Golden-image bundle"). <see cref="Parse"/> is strict: unknown, missing or duplicated
/// fields, wrong types and out-of-range values are <see cref="ImageFormatException"/>s naming
/// the field.
/// </summary>
public sealed record GoldenImageManifest
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "recoverysim-golden-image";

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

    /// <summary>Creates a manifest, checking every value (<see cref="ArgumentException"/> for a bad one).</summary>
    public GoldenImageManifest(IReadOnlyList<string> boardIds, string releaseId, string version, ulong rollbackIndex,
        KeyId keyId, SignatureAlgorithm signatureAlgorithm, IReadOnlyList<ManifestPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(boardIds);
        ArgumentNullException.ThrowIfNull(partitions);
        try
        {
            Validate(boardIds, releaseId, version, keyId, signatureAlgorithm, partitions, "manifest.json");
        }
        catch (ImageFormatException e)
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

    /// <summary>Field-by-field equality, lists compared element by element.</summary>
    public bool Equals(GoldenImageManifest? other) =>
        other is not null && FormatVersion == other.FormatVersion && BoardIds.SequenceEqual(other.BoardIds) && ReleaseId == other.ReleaseId
        && Version == other.Version && RollbackIndex == other.RollbackIndex && KeyId == other.KeyId
        && SignatureAlgorithm == other.SignatureAlgorithm && Partitions.SequenceEqual(other.Partitions);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ReleaseId, Version, RollbackIndex, KeyId, Partitions.Count);

    /// <summary>The partition named <paramref name="name"/>, or null.</summary>
    public ManifestPartition? Find(string name) => Partitions.FirstOrDefault(p => p.Name == name);

    /// <summary>The manifest as the exact UTF-8 bytes of <c>manifest.json</c>: indented JSON, fields in schema order, final newline.</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("format_version", FormatVersion);
            w.WriteStartArray("board_ids");
            foreach (string id in BoardIds)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            w.WriteString("release_id", ReleaseId);
            w.WriteString("version", Version);
            w.WriteNumber("rollback_index", RollbackIndex);
            w.WriteString("key_id", KeyId.ToString());
            w.WriteString("signature_algorithm", SignatureAlgorithmNames.ToName(SignatureAlgorithm));
            w.WriteStartArray("partitions");
            foreach (ManifestPartition p in Partitions)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteString("member", p.Member);
                w.WriteNumber("size", p.Size);
                w.WriteString("compression", p.Compression == PartitionCompression.Zstd ? "zstd" : "none");
                w.WriteNumber("compressed_size", p.CompressedSize);
                w.WriteString("sha256", p.Sha256);
                w.WriteString("compressed_sha256", p.CompressedSha256);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    /// <summary>Parses <c>manifest.json</c> strictly (see the type's remarks).</summary>
    /// <exception cref="ImageFormatException">Not a valid manifest; the message names the field, expected and found.</exception>
    public static GoldenImageManifest Parse(ReadOnlySpan<byte> utf8)
    {
        const string m = ManifestMember;
        if (utf8.Length > MaxLength)
        {
            throw new ImageFormatException($"{m}: {utf8.Length} bytes, over the {MaxLength}-byte limit", m, "size");
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new ImageFormatException($"{m}: not valid UTF-8", m, "json");
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8, CommentHandling = JsonCommentHandling.Disallow });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                throw new ImageFormatException($"{m}: data after the JSON object", m, "json");
            }
        }
        catch (JsonException e)
        {
            throw new ImageFormatException($"{m}: not valid JSON: {e.Message}", m, "json", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            var fields = Fields(root, "", ["format", "format_version", "board_ids", "release_id", "version", "rollback_index", "key_id", "signature_algorithm", "partitions"]);
            string format = String(fields["format"], "format");
            if (format != FormatName)
            {
                throw new ImageFormatException($"{m}: field format is '{FieldText.Escape(format)}', expected '{FormatName}'", m, "format");
            }

            long version = Integer(fields["format_version"], "format_version", 0, int.MaxValue);
            if (version != CurrentFormatVersion)
            {
                throw new ImageFormatException($"{m}: field format_version is {version}, expected {CurrentFormatVersion}", m, "format_version");
            }

            JsonElement boards = Array(fields["board_ids"], "board_ids", MaxBoardIds);
            var boardIds = new List<string>();
            int i = 0;
            foreach (JsonElement b in boards.EnumerateArray())
            {
                boardIds.Add(String(b, $"board_ids[{i++}]"));
            }

            string releaseId = String(fields["release_id"], "release_id");
            string versionText = String(fields["version"], "version");
            JsonElement rollbackElement = fields["rollback_index"];
            if (rollbackElement.ValueKind != JsonValueKind.Number || !rollbackElement.TryGetUInt64(out ulong rollback))
            {
                throw new ImageFormatException($"{m}: field rollback_index is {Describe(rollbackElement)}, expected an integer from 0 to {ulong.MaxValue}", m, "rollback_index");
            }

            string keyIdText = String(fields["key_id"], "key_id");
            if (!KeyId.TryParse(keyIdText, out KeyId keyId) || keyIdText != keyId.ToString())
            {
                throw new ImageFormatException($"{m}: field key_id is '{FieldText.Escape(keyIdText)}', expected 32 lowercase hex digits", m, "key_id");
            }

            string algorithmText = String(fields["signature_algorithm"], "signature_algorithm");
            if (!SignatureAlgorithmNames.TryParse(algorithmText, out SignatureAlgorithm algorithm) || SignatureAlgorithmNames.ToName(algorithm) != algorithmText)
            {
                throw new ImageFormatException($"{m}: field signature_algorithm is '{FieldText.Escape(algorithmText)}', expected ed25519, ecdsa-p256 or rsa-3072", m, "signature_algorithm");
            }

            JsonElement partitionArray = Array(fields["partitions"], "partitions", MaxPartitions);
            var partitions = new List<ManifestPartition>();
            i = 0;
            foreach (JsonElement p in partitionArray.EnumerateArray())
            {
                string at = $"partitions[{i++}]";
                var pf = Fields(p, at + ".", ["name", "member", "size", "compression", "compressed_size", "sha256", "compressed_sha256"]);
                string compressionText = String(pf["compression"], at + ".compression");
                PartitionCompression compression = compressionText switch
                {
                    "none" => PartitionCompression.None,
                    "zstd" => PartitionCompression.Zstd,
                    _ => throw new ImageFormatException($"{m}: field {at}.compression is '{FieldText.Escape(compressionText)}', expected 'none' or 'zstd'", m, at + ".compression"),
                };
                partitions.Add(new ManifestPartition(
                    String(pf["name"], at + ".name"),
                    String(pf["member"], at + ".member"),
                    Integer(pf["size"], at + ".size", PartitionHeader.Size, MaxMemberSize),
                    compression,
                    Integer(pf["compressed_size"], at + ".compressed_size", 1, MaxMemberSize),
                    String(pf["sha256"], at + ".sha256"),
                    String(pf["compressed_sha256"], at + ".compressed_sha256")));
            }

            Validate(boardIds, releaseId, versionText, keyId, algorithm, partitions, m);
            return new GoldenImageManifest(boardIds, releaseId, versionText, rollback, keyId, algorithm, partitions);
        }
    }

    /// <summary>Checks the values a manifest may hold; throws an <see cref="ImageFormatException"/> naming the field.</summary>
    private static void Validate(IReadOnlyList<string> boardIds, string releaseId, string version, KeyId keyId, SignatureAlgorithm algorithm,
        IReadOnlyList<ManifestPartition> partitions, string m)
    {
        if (boardIds.Count is 0 or > MaxBoardIds)
        {
            throw new ImageFormatException($"{m}: field board_ids has {boardIds.Count} entries, expected 1 to {MaxBoardIds}", m, "board_ids");
        }

        for (int i = 0; i < boardIds.Count; i++)
        {
            if (!FieldText.IsIdentifier(boardIds[i]))
            {
                throw new ImageFormatException($"{m}: field board_ids[{i}] is '{FieldText.Escape(boardIds[i] ?? "")}', expected 1 to {FieldText.MaxTextLength} of A-Z a-z 0-9 . _ -", m, $"board_ids[{i}]");
            }

            if (boardIds.Take(i).Contains(boardIds[i]))
            {
                throw new ImageFormatException($"{m}: field board_ids[{i}] '{boardIds[i]}' is listed twice", m, $"board_ids[{i}]");
            }
        }

        if (!FieldText.IsIdentifier(releaseId))
        {
            throw new ImageFormatException($"{m}: field release_id is '{FieldText.Escape(releaseId ?? "")}', expected 1 to {FieldText.MaxTextLength} of A-Z a-z 0-9 . _ -", m, "release_id");
        }

        if (!FieldText.IsVersion(version))
        {
            throw new ImageFormatException($"{m}: field version is '{FieldText.Escape(version ?? "")}', expected 1 to {FieldText.MaxTextLength} printable ASCII characters", m, "version");
        }

        if (keyId.IsZero)
        {
            throw new ImageFormatException($"{m}: field key_id is all zero", m, "key_id");
        }

        if (!SignatureAlgorithmNames.IsSupported(algorithm))
        {
            throw new ImageFormatException($"{m}: field signature_algorithm is {algorithm}, expected ed25519, ecdsa-p256 or rsa-3072", m, "signature_algorithm");
        }

        if (partitions.Count is 0 or > MaxPartitions)
        {
            throw new ImageFormatException($"{m}: field partitions has {partitions.Count} entries, expected 1 to {MaxPartitions}", m, "partitions");
        }

        for (int i = 0; i < partitions.Count; i++)
        {
            ManifestPartition p = partitions[i] ?? throw new ImageFormatException($"{m}: partitions[{i}] is null", m, $"partitions[{i}]");
            string at = $"partitions[{i}]";
            if (!FieldText.IsPartitionName(p.Name))
            {
                throw new ImageFormatException($"{m}: field {at}.name is '{FieldText.Escape(p.Name ?? "")}', expected 1 to {FieldText.MaxPartitionNameLength} of a-z 0-9 _ - starting with a letter", m, at + ".name");
            }

            if (partitions.Take(i).Any(q => q.Name == p.Name))
            {
                throw new ImageFormatException($"{m}: field {at}.name '{p.Name}' is listed twice", m, at + ".name");
            }

            string member = ManifestPartition.MemberNameFor(p.Name, p.Compression);
            if (p.Member != member)
            {
                throw new ImageFormatException($"{m}: field {at}.member is '{FieldText.Escape(p.Member ?? "")}', expected '{member}'", m, at + ".member");
            }

            if (p.Size is < PartitionHeader.Size or > MaxMemberSize)
            {
                throw new ImageFormatException($"{m}: field {at}.size is {p.Size}, expected {PartitionHeader.Size} to {MaxMemberSize}", m, at + ".size");
            }

            if (p.Compression == PartitionCompression.None ? p.CompressedSize != p.Size : p.CompressedSize is < 1 or > MaxMemberSize)
            {
                throw new ImageFormatException($"{m}: field {at}.compressed_size is {p.CompressedSize}, expected {(p.Compression == PartitionCompression.None ? $"{p.Size} (the size: not compressed)" : $"1 to {MaxMemberSize}")}", m, at + ".compressed_size");
            }

            if (!IsSha256Hex(p.Sha256))
            {
                throw new ImageFormatException($"{m}: field {at}.sha256 is '{FieldText.Escape(p.Sha256 ?? "")}', expected 64 lowercase hex digits", m, at + ".sha256");
            }

            if (!IsSha256Hex(p.CompressedSha256))
            {
                throw new ImageFormatException($"{m}: field {at}.compressed_sha256 is '{FieldText.Escape(p.CompressedSha256 ?? "")}', expected 64 lowercase hex digits", m, at + ".compressed_sha256");
            }

            if (p.Compression == PartitionCompression.None && p.CompressedSha256 != p.Sha256)
            {
                throw new ImageFormatException($"{m}: field {at}.compressed_sha256 is {p.CompressedSha256}, expected {p.Sha256} (the sha256: not compressed)", m, at + ".compressed_sha256");
            }
        }
    }

    private static bool IsSha256Hex(string? text) =>
        text is { Length: 64 } && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static Dictionary<string, JsonElement> Fields(JsonElement element, string prefix, string[] names)
    {
        const string m = ManifestMember;
        string what = prefix.Length == 0 ? "the top level" : prefix.TrimEnd('.');
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ImageFormatException($"{m}: {what} is {Describe(element)}, expected an object", m, prefix.Length == 0 ? "json" : prefix.TrimEnd('.'));
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!names.Contains(property.Name))
            {
                throw new ImageFormatException($"{m}: unknown field {prefix}{FieldText.Escape(property.Name)}", m, prefix + property.Name);
            }

            if (!fields.TryAdd(property.Name, property.Value))
            {
                throw new ImageFormatException($"{m}: field {prefix}{property.Name} appears twice", m, prefix + property.Name);
            }
        }

        foreach (string name in names)
        {
            if (!fields.ContainsKey(name))
            {
                throw new ImageFormatException($"{m}: field {prefix}{name} is missing", m, prefix + name);
            }
        }

        return fields;
    }

    private static string String(JsonElement element, string field) => element.ValueKind == JsonValueKind.String
        ? element.GetString()!
        : throw new ImageFormatException($"{ManifestMember}: field {field} is {Describe(element)}, expected a string", ManifestMember, field);

    private static long Integer(JsonElement element, string field, long min, long max)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long value) || value < min || value > max)
        {
            throw new ImageFormatException($"{ManifestMember}: field {field} is {Describe(element)}, expected an integer from {min} to {max}", ManifestMember, field);
        }

        return value;
    }

    private static JsonElement Array(JsonElement element, string field, int max)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new ImageFormatException($"{ManifestMember}: field {field} is {Describe(element)}, expected an array", ManifestMember, field);
        }

        int count = element.GetArrayLength();
        if (count == 0 || count > max)
        {
            throw new ImageFormatException($"{ManifestMember}: field {field} has {count} entries, expected 1 to {max}", ManifestMember, field);
        }

        return element;
    }

    private static string Describe(JsonElement element)
    {
        string raw = element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => $"the string \"{FieldText.Escape(element.GetString() ?? "")}\"",
            _ => element.GetRawText(),
        };
        return raw.Length > 60 ? raw[..60] + "..." : raw;
    }
}
