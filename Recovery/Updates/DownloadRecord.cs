using System.Buffers.Binary;
using System.Text;
using RecoverySim.Bootloader.Storage;
using RecoverySim.GoldenImage.Updates;

namespace RecoverySim.Recovery.Updates;

/// <summary>
/// The header of the download area (docs/FORMAT.md "Download area"): which package the area holds
/// (its SHA-256 and size from the signed index, its file name), how many of its bytes are durable,
/// and the validator the server gave for them (a strong ETag, else Last-Modified) for the
/// <c>If-Range</c> of a resumed download. 512 bytes in the shared record envelope (magic, version,
/// size, sequence, CRC32 last): a torn or damaged header reads as no download, never as a wrong one.
/// </summary>
/// <param name="Sha256">SHA-256 of the whole package file, 32 bytes.</param>
/// <param name="Size">Bytes of the package file.</param>
/// <param name="Durable">Bytes from the start of the package that are written and flushed (0 to <paramref name="Size"/>).</param>
/// <param name="Validator">The server's validator for those bytes, printable ASCII, at most <see cref="MaxValidatorLength"/>; empty for none.</param>
/// <param name="File">The package's file name in the index.</param>
/// <param name="Sequence">Counts the header's writes (the envelope's sequence).</param>
public readonly record struct DownloadRecord(ReadOnlyMemory<byte> Sha256, long Size, long Durable, string Validator, string File, ulong Sequence)
{
    /// <summary>Bytes of the record: one sector.</summary>
    public const int RecordSize = 512;

    /// <summary>Longest validator kept (an ETag or an HTTP date).</summary>
    public const int MaxValidatorLength = 190;

    /// <summary>The envelope magic, "RSDL" little-endian.</summary>
    public const uint Magic = 0x4C445352;

    /// <summary>The layout version.</summary>
    public const ushort Version = 1;

    private const int Sha256Offset = RecordEnvelope.HeaderSize;
    private const int SizeOffset = Sha256Offset + 32;
    private const int DurableOffset = SizeOffset + 8;
    private const int ValidatorLengthOffset = DurableOffset + 8;
    private const int ValidatorOffset = ValidatorLengthOffset + 1;
    private const int FileLengthOffset = 256;
    private const int FileOffset = FileLengthOffset + 1;

    /// <summary>True when this record is for <paramref name="package"/> (same hash, size and file name).</summary>
    public bool IsFor(UpdatePackage package) =>
        Size == package.Size && File == package.File && Convert.ToHexStringLower(Sha256.Span) == package.Sha256;

    /// <summary>Reads a record; false for a torn, damaged or blank sector, or values outside the rules.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out DownloadRecord record)
    {
        record = default;
        if (!RecordEnvelope.TryOpen(source, RecordSize, Magic, Version, RecordSize, out ulong sequence))
        {
            return false;
        }

        long size = BinaryPrimitives.ReadInt64LittleEndian(source[SizeOffset..]);
        long durable = BinaryPrimitives.ReadInt64LittleEndian(source[DurableOffset..]);
        int validatorLength = source[ValidatorLengthOffset];
        int fileLength = source[FileLengthOffset];
        if (size is < 1 or > UpdateIndex.MaxPackageSize || durable < 0 || durable > size
            || validatorLength > MaxValidatorLength || fileLength is 0 or > UpdateIndex.MaxFileNameLength)
        {
            return false;
        }

        string validator = Encoding.ASCII.GetString(source.Slice(ValidatorOffset, validatorLength));
        string file = Encoding.ASCII.GetString(source.Slice(FileOffset, fileLength));
        if (!IsValidator(validator) || !UpdateIndex.IsPackageFileName(file))
        {
            return false;
        }

        record = new DownloadRecord(source.Slice(Sha256Offset, 32).ToArray(), size, durable, validator, file, sequence);
        return true;
    }

    /// <summary>True for a validator the record can hold: at most <see cref="MaxValidatorLength"/> printable ASCII characters.</summary>
    public static bool IsValidator(string? text) => text is not null && text.Length <= MaxValidatorLength && text.All(c => c is >= ' ' and <= '~');

    /// <summary>Writes the record into the first <see cref="RecordSize"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">A value outside the rules of <see cref="TryParse"/>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (Sha256.Length != 32 || Size < 1 || Durable < 0 || Durable > Size || !IsValidator(Validator) || !UpdateIndex.IsPackageFileName(File))
        {
            throw new ArgumentException($"not a download record: {Size} bytes, {Durable} durable, validator '{Validator}', file '{File}'");
        }

        Span<byte> record = RecordEnvelope.Fit(destination, RecordSize, "a download record");
        RecordEnvelope.WriteHeader(record, Magic, Version, RecordSize, Sequence);
        Sha256.Span.CopyTo(record[Sha256Offset..]);
        BinaryPrimitives.WriteInt64LittleEndian(record[SizeOffset..], Size);
        BinaryPrimitives.WriteInt64LittleEndian(record[DurableOffset..], Durable);
        record[ValidatorLengthOffset] = (byte)Validator.Length;
        Encoding.ASCII.GetBytes(Validator, record[ValidatorOffset..]);
        record[FileLengthOffset] = (byte)File.Length;
        Encoding.ASCII.GetBytes(File, record[FileOffset..]);
        RecordEnvelope.Seal(record);
    }

    /// <summary>Field equality (the hash compared by bytes).</summary>
    public bool Equals(DownloadRecord other) =>
        Sha256.Span.SequenceEqual(other.Sha256.Span) && Size == other.Size && Durable == other.Durable && Validator == other.Validator
        && File == other.File && Sequence == other.Sequence;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Size, Durable, File, Sequence);
}
