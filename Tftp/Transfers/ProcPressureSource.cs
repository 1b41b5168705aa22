namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// Reads <c>/proc/pressure/cpu</c> (Linux 4.20 and later, when the kernel has PSI enabled). One
/// open, one read of about 100 bytes and one close: a few microseconds, done at most once per
/// <see cref="CpuContention.SampleInterval"/> for the whole process.
/// </summary>
internal sealed class ProcPressureSource : ICpuPressureSource
{
    private const string Path = "/proc/pressure/cpu";
    private volatile bool missing = !OperatingSystem.IsLinux();

    public bool TryRead(out CpuPressure pressure)
    {
        pressure = default;
        if (missing)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[256];
        Span<char> text = stackalloc char[256];
        try
        {
            using var handle = File.OpenHandle(Path);
            int read = RandomAccess.Read(handle, bytes, 0);
            int chars = System.Text.Encoding.ASCII.GetChars(bytes[..read], text);
            return CpuPressure.TryParse(text[..chars], out pressure);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // No PSI (an older kernel, psi=0, a container that hides it): never read it again.
            missing = true;
            return false;
        }
    }
}
