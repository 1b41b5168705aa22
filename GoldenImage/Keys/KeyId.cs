using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// The identity of a public key: the first 16 bytes of the SHA-256 of its DER
/// SubjectPublicKeyInfo (docs/FORMAT.md "Keys and signatures"), written as 32 lowercase hex
/// digits. A board trusts a set of key ids, so keys can rotate without a new board.
/// </summary>
public readonly record struct KeyId
{
    /// <summary>The size of a key id in bytes.</summary>
    public const int Size = 16;

    private readonly ulong _high;
    private readonly ulong _low;

    private KeyId(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>True for the all-zero id, which no key has (the value of an empty header field).</summary>
    public bool IsZero => _high == 0 && _low == 0;

    /// <summary>Reads a key id from its 16 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 16 bytes long.</exception>
    public static KeyId Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a key id is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        return new KeyId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>The key id of a DER-encoded SubjectPublicKeyInfo: SHA-256(der)[0..16].</summary>
    public static KeyId FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(der, hash);
        return Read(hash[..Size]);
    }

    /// <summary>Writes the 16 bytes of the id to the start of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"a key id needs {Size} bytes, got {destination.Length}", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
    }

    /// <summary>The 16 bytes of the id.</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Parses 32 hex digits (either case); false for anything else.</summary>
    public static bool TryParse(string? text, out KeyId id)
    {
        id = default;
        if (text is null || text.Length != Size * 2)
        {
            return false;
        }

        if (!ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong high)
            || !ulong.TryParse(text.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong low))
        {
            return false;
        }

        id = new KeyId(high, low);
        return true;
    }

    /// <summary>Parses 32 hex digits, or throws an <see cref="ImageFormatException"/> naming the text.</summary>
    public static KeyId Parse(string text) => TryParse(text, out KeyId id)
        ? id
        : throw new ImageFormatException($"key id: expected 32 hex digits, found '{Truncate(text)}'", field: "key_id");

    /// <summary>The id as 32 lowercase hex digits.</summary>
    public override string ToString() => $"{_high:x16}{_low:x16}";

    private static string Truncate(string? text) => text is null ? "(null)" : text.Length <= 40 ? text : text[..40] + "...";
}
