using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Partitions;

/// <summary>
/// The signed header at the start of every slot partition (DESIGN.md "Partition header";
/// byte layout in docs/FORMAT.md "Partition header"). It is <see cref="Size"/> bytes, a whole
/// number of 512-byte sectors, so the payload that follows starts sector-aligned.
/// </summary>
/// <remarks>
/// A parsed header keeps the exact bytes it was read from (<see cref="RawBytes"/>): the CRC and
/// the signature are checked over those bytes, never over a re-serialisation. Parsing checks
/// the magic, the CRC and every field; it does not check the signature, which needs a trusted
/// key (<see cref="VerifySignature"/>, <see cref="PartitionImageVerifier"/>).
/// </remarks>
public readonly record struct PartitionHeader
{
    /// <summary>Size of the header in bytes: 8 sectors of 512.</summary>
    public const int Size = 4096;

    /// <summary>The format version this library writes and reads.</summary>
    public const ushort CurrentFormatVersion = 1;

    /// <summary>Largest payload a header may declare: 2^62 bytes (a bound, not a practical size).</summary>
    public const ulong MaxPayloadLength = 1UL << 62;

    /// <summary>The magic at offset 0: ASCII <c>RSIMPHDR</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "RSIMPHDR"u8;

    // Field offsets and lengths (docs/FORMAT.md "Partition header"). All integers little-endian.
    internal const int MagicOffset = 0, MagicLength = 8;
    internal const int FormatVersionOffset = 8;          // u16
    internal const int HeaderSizeOffset = 10;            // u16, = Size
    internal const int FlagsOffset = 12;                 // u32, 0 in version 1
    internal const int PartitionNameOffset = 16, PartitionNameLength = 32;
    internal const int ReleaseIdOffset = 48, ReleaseIdLength = 64;
    internal const int VersionOffset = 112, VersionLength = 64;
    internal const int RollbackIndexOffset = 176;        // u64
    internal const int BoardIdOffset = 184, BoardIdLength = 64;
    internal const int PayloadLengthOffset = 248;        // u64
    internal const int PayloadSha256Offset = 256, PayloadSha256Length = 32;
    internal const int KeyIdOffset = 288;                // KeyId.Size = 16
    internal const int SignatureAlgorithmOffset = 304;   // u16
    internal const int SignedReservedOffset = 306, SignedReservedLength = 14;
    /// <summary>The signature covers bytes [0, SignedLength).</summary>
    internal const int SignedLength = 320;
    internal const int SignatureLengthOffset = 320;      // u16
    internal const int SignatureReservedOffset = 322, SignatureReservedLength = 6;
    internal const int SignatureOffset = 328, SignatureFieldLength = 512;
    internal const int TailReservedOffset = 840;
    internal const int CrcOffset = Size - 4;             // u32 CRC32 over [0, CrcOffset)

    private readonly byte[]? _raw;

    private PartitionHeader(byte[] raw, ushort formatVersion, PartitionRelease release, ulong payloadLength,
        byte[] payloadSha256, KeyId keyId, SignatureAlgorithm algorithm, byte[] signature, uint crc)
    {
        _raw = raw;
        FormatVersion = formatVersion;
        Release = release;
        PayloadLength = payloadLength;
        PayloadSha256Bytes = payloadSha256;
        KeyId = keyId;
        SignatureAlgorithm = algorithm;
        SignatureBytes = signature;
        Crc32 = crc;
    }

    /// <summary>The header format version (offset 8).</summary>
    public ushort FormatVersion { get; }

    /// <summary>Partition name, release id, version, rollback index and board id.</summary>
    public PartitionRelease Release { get; }

    /// <summary>Logical partition name (offset 16).</summary>
    public string PartitionName => Release.PartitionName;

    /// <summary>Release id shared by the partitions of one release (offset 48).</summary>
    public string ReleaseId => Release.ReleaseId;

    /// <summary>Version string (offset 112).</summary>
    public string Version => Release.Version;

    /// <summary>Anti-downgrade rollback index (offset 176).</summary>
    public ulong RollbackIndex => Release.RollbackIndex;

    /// <summary>The board this image is for (offset 184).</summary>
    public string BoardId => Release.BoardId;

    /// <summary>Length of the payload that follows the header, in bytes (offset 248).</summary>
    public ulong PayloadLength { get; }

    /// <summary>SHA-256 of the payload (offset 256).</summary>
    public ReadOnlyMemory<byte> PayloadSha256 => PayloadSha256Bytes ?? [];

    /// <summary>The key that signed the header (offset 288).</summary>
    public KeyId KeyId { get; }

    /// <summary>The signature algorithm (offset 304), covered by the signature so it cannot be swapped.</summary>
    public SignatureAlgorithm SignatureAlgorithm { get; }

    /// <summary>The signature over <see cref="SignedBytes"/> (offset 328, length at offset 320).</summary>
    public ReadOnlyMemory<byte> Signature => SignatureBytes ?? [];

    /// <summary>The CRC32 stored at offset 4092, over bytes [0, 4092).</summary>
    public uint Crc32 { get; }

    /// <summary>The exact <see cref="Size"/> bytes this header was parsed from (empty for <c>default</c>).</summary>
    public ReadOnlyMemory<byte> RawBytes => _raw ?? [];

    /// <summary>The bytes the signature covers: <see cref="RawBytes"/>[0..320], every field before the signature length.</summary>
    public ReadOnlyMemory<byte> SignedBytes => _raw is null ? ReadOnlyMemory<byte>.Empty : _raw.AsMemory(0, SignedLength);

    /// <summary>The payload hash as lowercase hex.</summary>
    public string PayloadSha256Hex => Convert.ToHexStringLower(PayloadSha256.Span);

    private byte[]? PayloadSha256Bytes { get; }

    private byte[]? SignatureBytes { get; }

    /// <summary>
    /// Builds and signs a header for a payload of <paramref name="payloadLength"/> bytes whose
    /// SHA-256 is <paramref name="payloadSha256"/>.
    /// </summary>
    public static PartitionHeader CreateSigned(PartitionRelease release, ulong payloadLength, ReadOnlySpan<byte> payloadSha256, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] raw = new byte[Size];
        WriteSignedFields(raw, release, payloadLength, payloadSha256, key.KeyId, key.Algorithm);
        byte[] signature = key.Sign(raw.AsSpan(0, SignedLength));
        return Seal(raw, signature);
    }

    /// <summary>
    /// Builds a header with a given signature (for tests and tools that sign elsewhere). The
    /// signature is not checked; the CRC is computed.
    /// </summary>
    public static PartitionHeader Create(PartitionRelease release, ulong payloadLength, ReadOnlySpan<byte> payloadSha256,
        KeyId keyId, SignatureAlgorithm algorithm, ReadOnlySpan<byte> signature)
    {
        byte[] raw = new byte[Size];
        WriteSignedFields(raw, release, payloadLength, payloadSha256, keyId, algorithm);
        return Seal(raw, signature);
    }

    /// <summary>The bytes a signer signs for these fields: what <see cref="SignedBytes"/> will be.</summary>
    public static byte[] BuildSignedBytes(PartitionRelease release, ulong payloadLength, ReadOnlySpan<byte> payloadSha256,
        KeyId keyId, SignatureAlgorithm algorithm)
    {
        byte[] raw = new byte[Size];
        WriteSignedFields(raw, release, payloadLength, payloadSha256, keyId, algorithm);
        return raw[..SignedLength];
    }

    /// <summary>Parses and checks a header, or returns false (no exception) when the bytes are not a valid header.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out PartitionHeader header)
    {
        try
        {
            header = Parse(bytes);
            return true;
        }
        catch (ImageFormatException)
        {
            header = default;
            return false;
        }
    }

    /// <summary>
    /// Parses a header from the first <see cref="Size"/> bytes of <paramref name="bytes"/>:
    /// magic, CRC32, format version, sizes, reserved bytes, every text field and the signature
    /// length. The signature itself is not checked here.
    /// </summary>
    /// <param name="bytes">At least <see cref="Size"/> bytes.</param>
    /// <param name="member">Where the header came from, for messages (a partition or member name).</param>
    /// <exception cref="ImageFormatException">A field is wrong; <see cref="ImageException.Field"/> names it.</exception>
    public static PartitionHeader Parse(ReadOnlySpan<byte> bytes, string? member = null)
    {
        string p = member is null ? "partition header" : $"{member}: partition header";
        if (bytes.Length < Size)
        {
            throw new ImageFormatException($"{p}: {bytes.Length} bytes, expected {Size}", member, "size");
        }

        bytes = bytes[..Size];
        // Magic first, then the CRC (the order GPT uses, UEFI 2.10 section 5.3.2): an erased or
        // never-written partition is told apart from a torn header.
        if (!bytes[..MagicLength].SequenceEqual(Magic))
        {
            throw new ImageFormatException($"{p}: magic is {Convert.ToHexStringLower(bytes[..MagicLength])}, expected 'RSIMPHDR' (no header: erased or never written?)", member, "magic");
        }

        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[CrcOffset..]);
        uint actualCrc = System.IO.Hashing.Crc32.HashToUInt32(bytes[..CrcOffset]);
        if (storedCrc != actualCrc)
        {
            throw new ImageFormatException($"{p}: CRC32 is 0x{actualCrc:x8}, header says 0x{storedCrc:x8} (torn or corrupted header)", member, "crc32");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[FormatVersionOffset..]);
        if (version != CurrentFormatVersion)
        {
            throw new ImageFormatException($"{p}: format version {version}, expected {CurrentFormatVersion}", member, "format_version");
        }

        ushort headerSize = BinaryPrimitives.ReadUInt16LittleEndian(bytes[HeaderSizeOffset..]);
        if (headerSize != Size)
        {
            throw new ImageFormatException($"{p}: header size {headerSize}, expected {Size}", member, "header_size");
        }

        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(bytes[FlagsOffset..]);
        if (flags != 0)
        {
            throw new ImageFormatException($"{p}: flags 0x{flags:x8}, expected 0 (no flags are defined in version 1)", member, "flags");
        }

        string name = FieldText.ReadPadded(bytes.Slice(PartitionNameOffset, PartitionNameLength), "partition_name", FieldText.IsPartitionName, p, member);
        string releaseId = FieldText.ReadPadded(bytes.Slice(ReleaseIdOffset, ReleaseIdLength), "release_id", FieldText.IsIdentifier, p, member);
        string versionText = FieldText.ReadPadded(bytes.Slice(VersionOffset, VersionLength), "version", FieldText.IsVersion, p, member);
        ulong rollback = BinaryPrimitives.ReadUInt64LittleEndian(bytes[RollbackIndexOffset..]);
        string boardId = FieldText.ReadPadded(bytes.Slice(BoardIdOffset, BoardIdLength), "board_id", FieldText.IsIdentifier, p, member);

        ulong payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes[PayloadLengthOffset..]);
        if (payloadLength > MaxPayloadLength)
        {
            throw new ImageFormatException($"{p}: payload length {payloadLength}, over the limit of {MaxPayloadLength}", member, "payload_length");
        }

        byte[] payloadSha256 = bytes.Slice(PayloadSha256Offset, PayloadSha256Length).ToArray();
        KeyId keyId = KeyId.Read(bytes.Slice(KeyIdOffset, KeyId.Size));
        if (keyId.IsZero)
        {
            throw new ImageFormatException($"{p}: key id is all zero (unsigned header)", member, "key_id");
        }

        var algorithm = (SignatureAlgorithm)BinaryPrimitives.ReadUInt16LittleEndian(bytes[SignatureAlgorithmOffset..]);
        if (!SignatureAlgorithmNames.IsSupported(algorithm))
        {
            throw new ImageFormatException($"{p}: signature algorithm {(ushort)algorithm}, expected 1 (ed25519), 2 (ecdsa-p256) or 3 (rsa-3072)", member, "signature_algorithm");
        }

        RequireZero(bytes.Slice(SignedReservedOffset, SignedReservedLength), SignedReservedOffset, p, member);

        ushort signatureLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[SignatureLengthOffset..]);
        int maxSignature = SignatureAlgorithmNames.MaxLength(algorithm);
        if (signatureLength == 0 || signatureLength > maxSignature)
        {
            throw new ImageFormatException($"{p}: signature length {signatureLength}, expected 1 to {maxSignature} for {SignatureAlgorithmNames.ToName(algorithm)}", member, "signature_length");
        }

        RequireZero(bytes.Slice(SignatureReservedOffset, SignatureReservedLength), SignatureReservedOffset, p, member);
        RequireZero(bytes.Slice(SignatureOffset + signatureLength, SignatureFieldLength - signatureLength), SignatureOffset + signatureLength, p, member);
        RequireZero(bytes[TailReservedOffset..CrcOffset], TailReservedOffset, p, member);

        byte[] signature = bytes.Slice(SignatureOffset, signatureLength).ToArray();
        var release = new PartitionRelease(name, releaseId, versionText, rollback, boardId);
        return new PartitionHeader(bytes.ToArray(), version, release, payloadLength, payloadSha256, keyId, algorithm, signature, storedCrc);
    }

    /// <summary>Writes the exact <see cref="RawBytes"/> of this header to the start of <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidOperationException">This is <c>default(PartitionHeader)</c>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (_raw is null)
        {
            throw new InvalidOperationException("default(PartitionHeader) has no bytes: build one with Create, CreateSigned or Parse");
        }

        if (destination.Length < Size)
        {
            throw new ArgumentException($"a partition header needs {Size} bytes, got {destination.Length}", nameof(destination));
        }

        _raw.CopyTo(destination);
    }

    /// <summary>The header's <see cref="Size"/> bytes as a new array.</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>True when <see cref="Signature"/> verifies over <see cref="SignedBytes"/> with <paramref name="key"/>, whose id and algorithm must match the header's.</summary>
    public bool VerifySignature(VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _raw is not null && key.KeyId == KeyId && key.Algorithm == SignatureAlgorithm
            && key.Verify(SignedBytes.Span, Signature.Span);
    }

    /// <summary>True when <paramref name="sha256"/> is the header's payload hash.</summary>
    public bool PayloadHashEquals(ReadOnlySpan<byte> sha256) => PayloadSha256.Span.SequenceEqual(sha256);

    /// <summary>Field-by-field equality (the raw bytes follow from the fields).</summary>
    public bool Equals(PartitionHeader other) =>
        FormatVersion == other.FormatVersion && Release == other.Release && PayloadLength == other.PayloadLength
        && PayloadSha256.Span.SequenceEqual(other.PayloadSha256.Span) && KeyId == other.KeyId
        && SignatureAlgorithm == other.SignatureAlgorithm && Signature.Span.SequenceEqual(other.Signature.Span) && Crc32 == other.Crc32;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Release, PayloadLength, KeyId, Crc32);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{PartitionName} {Version} (release {ReleaseId}, rollback {RollbackIndex}, board {BoardId}, {PayloadLength} bytes, key {KeyId})";

    private static void WriteSignedFields(Span<byte> raw, PartitionRelease release, ulong payloadLength, ReadOnlySpan<byte> payloadSha256,
        KeyId keyId, SignatureAlgorithm algorithm)
    {
        if (release.PartitionName is null)
        {
            throw new ArgumentException("default(PartitionRelease) has no fields", nameof(release));
        }

        if (payloadSha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"a SHA-256 is {SHA256.HashSizeInBytes} bytes, got {payloadSha256.Length}", nameof(payloadSha256));
        }

        if (payloadLength > MaxPayloadLength)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, $"over the limit of {MaxPayloadLength}");
        }

        if (!SignatureAlgorithmNames.IsSupported(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a supported signature algorithm");
        }

        Magic.CopyTo(raw);
        BinaryPrimitives.WriteUInt16LittleEndian(raw[FormatVersionOffset..], CurrentFormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(raw[HeaderSizeOffset..], Size);
        BinaryPrimitives.WriteUInt32LittleEndian(raw[FlagsOffset..], 0);
        FieldText.WritePadded(raw.Slice(PartitionNameOffset, PartitionNameLength), release.PartitionName);
        FieldText.WritePadded(raw.Slice(ReleaseIdOffset, ReleaseIdLength), release.ReleaseId);
        FieldText.WritePadded(raw.Slice(VersionOffset, VersionLength), release.Version);
        BinaryPrimitives.WriteUInt64LittleEndian(raw[RollbackIndexOffset..], release.RollbackIndex);
        FieldText.WritePadded(raw.Slice(BoardIdOffset, BoardIdLength), release.BoardId);
        BinaryPrimitives.WriteUInt64LittleEndian(raw[PayloadLengthOffset..], payloadLength);
        payloadSha256.CopyTo(raw[PayloadSha256Offset..]);
        keyId.WriteTo(raw[KeyIdOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(raw[SignatureAlgorithmOffset..], (ushort)algorithm);
    }

    private static PartitionHeader Seal(byte[] raw, ReadOnlySpan<byte> signature)
    {
        var algorithm = (SignatureAlgorithm)BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(SignatureAlgorithmOffset));
        int max = SignatureAlgorithmNames.MaxLength(algorithm);
        if (signature.Length == 0 || signature.Length > max)
        {
            throw new ArgumentException($"signature of {signature.Length} bytes: expected 1 to {max} for {SignatureAlgorithmNames.ToName(algorithm)}", nameof(signature));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(SignatureLengthOffset), (ushort)signature.Length);
        signature.CopyTo(raw.AsSpan(SignatureOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(CrcOffset), System.IO.Hashing.Crc32.HashToUInt32(raw.AsSpan(0, CrcOffset)));
        return Parse(raw);
    }

    private static void RequireZero(ReadOnlySpan<byte> reserved, int offset, string p, string? member)
    {
        int i = reserved.IndexOfAnyExcept((byte)0);
        if (i >= 0)
        {
            throw new ImageFormatException($"{p}: reserved byte at offset {offset + i} is 0x{reserved[i]:x2}, expected 0", member, "reserved");
        }
    }
}
