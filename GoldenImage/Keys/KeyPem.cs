using System.Security.Cryptography;

namespace RecoverySim.GoldenImage.Keys;

/// <summary>
/// Reads and writes the PEM text of key files (RFC 7468): one block with the expected label.
/// Key files are small; anything over <see cref="MaxFileLength"/> is refused before reading.
/// </summary>
internal static class KeyPem
{
    /// <summary>The largest key file we read (an RSA-3072 PKCS#8 PEM is about 2.5 KiB).</summary>
    public const int MaxFileLength = 64 * 1024;

    public const string PrivateLabel = "PRIVATE KEY";
    public const string PublicLabel = "PUBLIC KEY";

    public static string ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"key file '{path}' does not exist", path);
        }

        if (info.Length > MaxFileLength)
        {
            throw new SignatureException($"key file '{path}': {info.Length} bytes, over the {MaxFileLength}-byte limit of a key file", field: "key");
        }

        return File.ReadAllText(path);
    }

    /// <summary>The DER content of the block labelled <paramref name="label"/>, or a typed error naming what was found.</summary>
    public static byte[] Decode(string pem, string label, string source)
    {
        if (pem.Length > MaxFileLength)
        {
            throw new SignatureException($"{source}: {pem.Length} characters, over the {MaxFileLength} limit of a key file", field: "key");
        }

        ReadOnlySpan<char> text = pem;
        while (PemEncoding.TryFind(text, out PemFields fields))
        {
            ReadOnlySpan<char> found = text[fields.Label];
            if (found.SequenceEqual(label))
            {
                byte[] der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(text[fields.Base64Data], der, out int written) || written != der.Length)
                {
                    throw new SignatureException($"{source}: bad base64 in the '{label}' PEM block", field: "key");
                }

                return der;
            }

            if (found.SequenceEqual("EC PARAMETERS"))
            {
                // `openssl ecparam -genkey` writes the curve before the key: skip it.
                text = text[fields.Location.End..];
                continue;
            }

            string hint = found switch
            {
                "ENCRYPTED PRIVATE KEY" => " (encrypted keys are not supported: decrypt with 'openssl pkcs8 -nocrypt')",
                "EC PRIVATE KEY" or "RSA PRIVATE KEY" => " (convert to PKCS#8 with 'openssl pkcs8 -topk8 -nocrypt')",
                "PRIVATE KEY" => " (this is a private key; give the public key)",
                "PUBLIC KEY" => " (this is a public key; give the private key)",
                _ => "",
            };
            throw new SignatureException($"{source}: expected a '{label}' PEM block, found '{found.ToString()}'{hint}", field: "key");
        }

        throw new SignatureException($"{source}: no PEM block: expected '-----BEGIN {label}-----'", field: "key");
    }

    public static string Encode(string label, ReadOnlySpan<byte> der) => new string(PemEncoding.Write(label, der)) + "\n";
}
