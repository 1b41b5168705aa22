using System.Security.Cryptography;

namespace RecoverySim.Interop.Tests.Tftp;

/// <summary>
/// A served directory of deterministic test files named by size (<c>f{size}.bin</c>), readable
/// by every user (tftpd-hpa drops to user tftp), with their SHA-256 for bit-exact checks.
/// Deleted on dispose.
/// </summary>
public sealed class TftpTestFiles : IDisposable
{
    private readonly Dictionary<string, string> _hashes = new();
    private readonly List<string> _scratch = new();
    private readonly Lock _gate = new();

    /// <summary>Creates an empty, world-readable and world-writable root under the temp directory.</summary>
    public TftpTestFiles(string prefix)
    {
        Root = Directory.CreateTempSubdirectory($"recoverysim-{prefix}-").FullName;
        // mkdtemp makes it 0700; daemons that drop privileges need to read it, and atftpd
        // wants it world-writable.
        SetMode(Root, (UnixFileMode)0x1FF); // 0777
    }

    /// <summary>The served directory.</summary>
    public string Root { get; }

    /// <summary>The file name for <paramref name="size"/> bytes.</summary>
    public static string NameFor(long size) => $"f{size}.bin";

    /// <summary>Creates (once) the file of <paramref name="size"/> bytes and returns its name.</summary>
    public string Add(long size)
    {
        string name = NameFor(size);
        lock (_gate)
        {
            if (_hashes.ContainsKey(name))
            {
                return name;
            }
        }

        string path = Path.Combine(Root, name);
        // Content from a seeded generator: reproducible, and no two sizes share a prefix pattern.
        var random = new Random(unchecked((int)size * 7919 + 17));
        var buffer = new byte[1 << 20];
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            for (long left = size; left > 0;)
            {
                int n = (int)Math.Min(left, buffer.Length);
                random.NextBytes(buffer.AsSpan(0, n));
                file.Write(buffer, 0, n);
                hash.AppendData(buffer, 0, n);
                left -= n;
            }

            lock (_gate)
            {
                _hashes[name] = Convert.ToHexString(hash.GetHashAndReset());
            }
        }

        SetMode(path, (UnixFileMode)0x1A4); // 0644
        return name;
    }

    /// <summary>The SHA-256 (hex) of the served file <paramref name="name"/>.</summary>
    public string HashOf(string name)
    {
        lock (_gate)
        {
            return _hashes[name];
        }
    }

    /// <summary>The SHA-256 (hex) of the file at <paramref name="path"/>.</summary>
    public static string HashOfFile(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }

    /// <summary>A fresh, empty, world-writable directory for a client's downloads, deleted with the files.</summary>
    public string NewScratchDirectory()
    {
        string directory = Directory.CreateTempSubdirectory("recoverysim-tftp-out-").FullName;
        SetMode(directory, (UnixFileMode)0x1FF);
        lock (_gate)
        {
            _scratch.Add(directory);
        }

        return directory;
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        // The peers are Linux daemons; elsewhere there is nothing to open up.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        string[] directories;
        lock (_gate)
        {
            directories = [.. _scratch, Root];
        }

        foreach (string directory in directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A daemon still closing a file: the temp directory is cleaned by the system.
            }
        }
    }
}
