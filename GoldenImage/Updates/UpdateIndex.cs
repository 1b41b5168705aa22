using RecoverySim.GoldenImage.Json;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Updates;

/// <summary>
/// The signed update index of one board id and channel (docs/FORMAT.md "Update index"): what an
/// update server offers, signed as the exact bytes of <c>index.json</c> by <c>index.sig</c>. It
/// names the board and channel (wrong board), a sequence that only goes up and an expiry time
/// (rollback and freeze of the index itself), the latest release with its rollback index, and
/// every package with its kind, target release, source release (a delta), file size and hashes
/// (endless data, mix-and-match). <see cref="Parse"/> is strict and checks every field and the
/// rules between fields; it does not check the signature: <see cref="UpdateIndexReader"/> does,
/// before it parses.
/// </summary>
public sealed record UpdateIndex
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "recoverysim-update-index";

    /// <summary>The index format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The name of the index file, as errors name it.</summary>
    public const string FileName = "index.json";

    /// <summary>The name of the signature file.</summary>
    public const string SignatureFileName = "index.sig";

    /// <summary>Largest index accepted: 1 MiB, checked before parsing.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Most packages one index may list.</summary>
    public const int MaxPackages = 256;

    /// <summary>Largest package file an index may declare: 1 TiB (16 partitions of 8 GiB fit many times).</summary>
    public const long MaxPackageSize = 1L << 40;

    /// <summary>Longest validity (expires_at - issued_at) an index may claim: 366 days.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(366);

    /// <summary>Longest package file name: 128 characters.</summary>
    public const int MaxFileNameLength = 128;

    /// <summary>The file name extension of an update package.</summary>
    public const string PackageExtension = ".rsim";

    private const string Identifier = "1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit";

    /// <summary>Creates an index, checking every value and rule (<see cref="ArgumentException"/> for a bad one).</summary>
    public UpdateIndex(string boardId, string channel, long sequence, DateTimeOffset issuedAt, DateTimeOffset expiresAt,
        KeyId keyId, SignatureAlgorithm signatureAlgorithm, UpdateRelease? latest, IReadOnlyList<UpdatePackage> packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        try
        {
            Validate(boardId, channel, sequence, issuedAt, expiresAt, keyId, signatureAlgorithm, latest, packages, new JsonFieldValidator(FileName));
        }
        catch (JsonInputException e)
        {
            throw new ArgumentException(e.Message, e);
        }

        BoardId = boardId;
        Channel = channel;
        Sequence = sequence;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
        KeyId = keyId;
        SignatureAlgorithm = signatureAlgorithm;
        Latest = latest;
        Packages = [.. packages];
    }

    /// <summary>The index format version.</summary>
    public int FormatVersion => CurrentFormatVersion;

    /// <summary>The board id every package is for.</summary>
    public string BoardId { get; }

    /// <summary>The channel (<c>stable</c>, <c>beta</c>, ...).</summary>
    public string Channel { get; }

    /// <summary>Goes up with every index the server signs for this board and channel: a client refuses one below the last it accepted.</summary>
    public long Sequence { get; }

    /// <summary>When the index was signed (UTC, to the second).</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>After this instant the index is refused (freeze attack): the server signs a fresh one before then.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The key that signed <c>index.sig</c>.</summary>
    public KeyId KeyId { get; }

    /// <summary>The algorithm of that key.</summary>
    public SignatureAlgorithm SignatureAlgorithm { get; }

    /// <summary>The newest release offered (highest rollback index among the full packages), or null for a channel with no packages.</summary>
    public UpdateRelease? Latest { get; }

    /// <summary>The packages, in the order of the file.</summary>
    public IReadOnlyList<UpdatePackage> Packages { get; }

    /// <summary>True for a package file name: 1 to 128 of <c>A-Z a-z 0-9 . _ -</c>, starting with a letter or digit, ending in <c>.rsim</c> (so never <c>..</c>, never a <c>/</c>).</summary>
    public static bool IsPackageFileName(string? name) =>
        name is { Length: > 5 and <= MaxFileNameLength } && char.IsAsciiLetterOrDigit(name[0])
        && name.EndsWith(PackageExtension, StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>True for a channel name: the identifier rule of board ids (1 to 63 of <c>A-Z a-z 0-9 . _ -</c>, starting with a letter or digit).</summary>
    public static bool IsChannel(string? name) => FieldText.IsIdentifier(name);

    /// <summary>The package file named <paramref name="file"/>, or null.</summary>
    public UpdatePackage? Find(string file) => Packages.FirstOrDefault(p => p.File == file);

    /// <summary>Field-by-field equality, lists compared element by element.</summary>
    public bool Equals(UpdateIndex? other) =>
        other is not null && BoardId == other.BoardId && Channel == other.Channel && Sequence == other.Sequence && IssuedAt == other.IssuedAt
        && ExpiresAt == other.ExpiresAt && KeyId == other.KeyId && SignatureAlgorithm == other.SignatureAlgorithm && Latest == other.Latest
        && Packages.SequenceEqual(other.Packages);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(BoardId, Channel, Sequence, ExpiresAt, Packages.Count);

    /// <summary>The exact UTF-8 bytes of <c>index.json</c>: indented JSON, fields in schema order, nulls written, final newline.</summary>
    public byte[] ToJson() => Format.Write(new UpdateIndexDocument
    {
        Format = FormatName,
        FormatVersion = FormatVersion,
        BoardId = BoardId,
        Channel = Channel,
        Sequence = Sequence,
        IssuedAt = UtcTimestamp.Format(IssuedAt),
        ExpiresAt = UtcTimestamp.Format(ExpiresAt),
        KeyId = KeyId.ToString(),
        SignatureAlgorithm = SignatureAlgorithmNames.ToName(SignatureAlgorithm),
        Latest = Latest is { } l ? new UpdateReleaseDocument { ReleaseId = l.ReleaseId, Version = l.Version, RollbackIndex = l.RollbackIndex } : null,
        Packages = [.. Packages.Select(UpdatePackageDocument.From)],
    });

    /// <summary>Parses <c>index.json</c> strictly (no signature check: see <see cref="UpdateIndexReader"/>).</summary>
    /// <exception cref="ImageFormatException">Not a valid index; the message names the JSON path, expected and found.</exception>
    public static UpdateIndex Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            UpdateIndexDocument d = Format.Read(utf8, FileName);
            var check = new JsonFieldValidator(FileName);
            check.Text("$.format", d.Format, f => f == FormatName, StrictJson.Quote(FormatName));
            if (d.FormatVersion != CurrentFormatVersion)
            {
                throw check.Error("$.format_version", $"{CurrentFormatVersion}", $"{d.FormatVersion}");
            }

            DateTimeOffset issued = Time(check, "$.issued_at", d.IssuedAt), expires = Time(check, "$.expires_at", d.ExpiresAt);
            KeyId keyId = SignerFields.ParseKeyId(check, d.KeyId);
            SignatureAlgorithm algorithm = SignerFields.ParseAlgorithm(check, d.SignatureAlgorithm);
            UpdateRelease? latest = d.Latest is { } l ? new UpdateRelease(l.ReleaseId, l.Version, l.RollbackIndex) : null;
            var packages = new List<UpdatePackage>(d.Packages.Count);
            check.Count("$.packages", d.Packages, 0, MaxPackages, "packages");
            for (int i = 0; i < d.Packages.Count; i++)
            {
                packages.Add(d.Packages[i].ToPackage(check, StrictJson.Element("$.packages", i)));
            }

            Validate(d.BoardId, d.Channel, d.Sequence, issued, expires, keyId, algorithm, latest, packages, check);
            return new UpdateIndex(d.BoardId, d.Channel, d.Sequence, issued, expires, keyId, algorithm, latest, packages);
        }
        catch (JsonInputException e)
        {
            throw new ImageFormatException(e.Message, FileName, e.Field, e);
        }
    }

    /// <summary>The strict JSON format of <c>index.json</c>: at most <see cref="MaxLength"/> bytes, 4 levels.</summary>
    private static StrictJsonFormat<UpdateIndexDocument> Format { get; } = new(UpdateIndexJsonContext.Default, MaxLength, maxDepth: 4);

    private static DateTimeOffset Time(JsonFieldValidator check, string path, string text) =>
        UtcTimestamp.TryParse(text, out DateTimeOffset time) ? time : throw check.Error(path, UtcTimestamp.Rule, StrictJson.Quote(text));

    /// <summary>Checks the values an index may hold and the rules between them; throws a <see cref="JsonInputException"/> naming the JSON path.</summary>
    private static void Validate(string boardId, string channel, long sequence, DateTimeOffset issuedAt, DateTimeOffset expiresAt, KeyId keyId,
        SignatureAlgorithm algorithm, UpdateRelease? latest, IReadOnlyList<UpdatePackage> packages, JsonFieldValidator check)
    {
        check.Text("$.board_id", boardId, FieldText.IsIdentifier, Identifier);
        check.Text("$.channel", channel, IsChannel, Identifier);
        check.Integer("$.sequence", sequence, 1, long.MaxValue);
        if (UtcTimestamp.Truncate(issuedAt) != issuedAt || UtcTimestamp.Truncate(expiresAt) != expiresAt)
        {
            throw check.Error("$.issued_at", "times in UTC to the second", $"{issuedAt:O} and {expiresAt:O}");
        }

        if (expiresAt <= issuedAt || expiresAt - issuedAt > MaxValidity)
        {
            throw check.Error("$.expires_at", $"a time after issued_at ({UtcTimestamp.Format(issuedAt)}) by at most {MaxValidity.TotalDays:0} days", StrictJson.Quote(UtcTimestamp.Format(expiresAt)));
        }

        SignerFields.Check(check, keyId, algorithm);

        check.Count("$.packages", packages, 0, MaxPackages, "packages");
        for (int i = 0; i < packages.Count; i++)
        {
            string at = StrictJson.Element("$.packages", i);
            UpdatePackage p = packages[i] ?? throw check.Error(at, "an object", "null");
            CheckPackage(check, at, p);
            for (int j = 0; j < i; j++)
            {
                UpdatePackage q = packages[j];
                if (q.File == p.File)
                {
                    throw check.Error(at + ".file", "distinct file names", $"{StrictJson.Quote(p.File)} a second time");
                }

                if (q.ReleaseId == p.ReleaseId && (q.Version != p.Version || q.RollbackIndex != p.RollbackIndex))
                {
                    throw check.Error(at + ".version", $"release {StrictJson.Quote(p.ReleaseId)} with version {StrictJson.Quote(q.Version)} and rollback index {q.RollbackIndex}, as packages[{j}] says",
                        $"version {StrictJson.Quote(p.Version)} and rollback index {p.RollbackIndex}");
                }

                if (q.Kind == p.Kind && q.ReleaseId == p.ReleaseId && q.FromRelease == p.FromRelease)
                {
                    throw check.Error(at, $"one package per kind, release and source (packages[{j}] is the same)", StrictJson.Quote(p.File));
                }
            }
        }

        if (latest is null)
        {
            if (packages.Count > 0)
            {
                throw check.Error("$.latest", "the release of a full package (the index lists packages)", "null");
            }

            return;
        }

        CheckRelease(check, "$.latest", latest.ReleaseId, latest.Version);
        if (!packages.Any(p => p.Kind == UpdatePackageKind.Full && p.Target == latest))
        {
            throw check.Error("$.latest", "the release id, version and rollback index of a full package in packages", StrictJson.Quote(latest.ReleaseId));
        }

        if (packages.FirstOrDefault(p => p.RollbackIndex > latest.RollbackIndex) is { } above)
        {
            throw check.Error("$.latest.rollback_index", $"the highest rollback index of the packages ({above.RollbackIndex}, {StrictJson.Quote(above.File)})", $"{latest.RollbackIndex}");
        }
    }

    /// <summary>
    /// Checks one package's own fields, the rules of an index entry (<c>at</c> is its JSON path):
    /// kind, release, source release, file name, size and hashes; throws a <see cref="JsonInputException"/> naming the field.
    /// </summary>
    public static void CheckPackage(JsonFieldValidator check, string at, UpdatePackage p)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(p);
        if (p.Kind is not (UpdatePackageKind.Full or UpdatePackageKind.Delta))
        {
            throw check.Error(at + ".kind", "\"full\" or \"delta\"", p.Kind.ToString());
        }

        CheckRelease(check, at, p.ReleaseId, p.Version);
        if (p.Kind == UpdatePackageKind.Full && p.FromRelease is not null)
        {
            throw check.Error(at + ".from_release", "null (a full package installs over any release)", StrictJson.Quote(p.FromRelease));
        }

        if (p.Kind == UpdatePackageKind.Delta)
        {
            check.Text(at + ".from_release", p.FromRelease, FieldText.IsIdentifier, Identifier + " (the release a delta patches)");
            if (p.FromRelease == p.ReleaseId)
            {
                throw check.Error(at + ".from_release", "a release other than release_id", StrictJson.Quote(p.FromRelease!));
            }
        }

        check.Text(at + ".file", p.File, IsPackageFileName, $"1 to {MaxFileNameLength} of A-Z a-z 0-9 . _ - starting with a letter or digit and ending in {PackageExtension}");
        check.Integer(at + ".size", p.Size, 1, MaxPackageSize);
        check.Text(at + ".sha256", p.Sha256, FieldText.IsSha256Hex, "64 lowercase hex digits");
        check.Text(at + ".manifest_sha256", p.ManifestSha256, FieldText.IsSha256Hex, "64 lowercase hex digits");
    }

    private static void CheckRelease(JsonFieldValidator check, string at, string releaseId, string version)
    {
        check.Text(at + ".release_id", releaseId, FieldText.IsIdentifier, Identifier);
        check.Text(at + ".version", version, FieldText.IsVersion, $"1 to {FieldText.MaxTextLength} printable ASCII characters without leading or trailing spaces");
    }
}
