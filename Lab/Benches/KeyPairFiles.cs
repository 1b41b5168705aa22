using System.Text;
using RecoverySim.BlockDevice.Files;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// A signing key pair on disk, as <c>keys generate</c> and <c>bench create</c> write it:
/// <c>private.pem</c> (PKCS#8, mode 0600) and <c>public.pem</c> (SubjectPublicKeyInfo, 0644), each
/// an atomic file that never replaces an existing one; the public key last, so a directory with
/// <c>public.pem</c> always has its private key beside it.
/// </summary>
public static class KeyPairFiles
{
    /// <summary>The private key's file name.</summary>
    public const string PrivateFile = "private.pem";

    /// <summary>The public key's file name.</summary>
    public const string PublicFile = "public.pem";

    /// <summary>Writes <paramref name="key"/> into <paramref name="directory"/> (created if missing).</summary>
    /// <exception cref="IOException">A key file exists already, or cannot be written.</exception>
    public static async Task WriteAsync(string directory, SigningKey key, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(key);
        Directory.CreateDirectory(directory);
        await WriteNewAsync(Path.Combine(directory, PrivateFile), key.ToPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite, cancel).ConfigureAwait(false);
        await WriteNewAsync(Path.Combine(directory, PublicFile), key.PublicKey.ToPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, cancel).ConfigureAwait(false);
    }

    private static async Task WriteNewAsync(string path, string text, UnixFileMode mode, CancellationToken cancel)
    {
        AtomicFile file = AtomicFile.Create(path, overwrite: false, mode);
        await using (file.ConfigureAwait(false))
        {
            await file.Stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancel).ConfigureAwait(false);
            await file.CommitAsync(cancel).ConfigureAwait(false);
        }
    }
}
