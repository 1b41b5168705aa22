namespace RecoverySim.Interop.Tests.Peers;

/// <summary>
/// Finds the real peer programs (curl, tftp-hpa, atftp, atftpd, in.tftpd, dnsmasq, ...) that
/// interop tests run. A missing peer is an error that says how to install it, never a skip.
/// </summary>
public static class PeerTool
{
    /// <summary>The command that installs every peer (scripts/install-peers.sh, run as root).</summary>
    public const string InstallHint = "install the test peers with: sudo bash scripts/install-peers.sh";

    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>
    /// The full path of <paramref name="program"/>: from <paramref name="environmentVariable"/>
    /// when set, else the PATH, else the system sbin and bin directories, else
    /// <paramref name="extraCandidates"/>.
    /// </summary>
    /// <param name="program">The program's file name, for example <c>in.tftpd</c>.</param>
    /// <param name="package">The Debian package that provides it, for the error message.</param>
    /// <param name="environmentVariable">An environment variable that may name the program's path.</param>
    /// <param name="extraCandidates">Further full paths to try (for example an unpacked .deb).</param>
    /// <exception cref="PeerNotFoundException">Nowhere to be found.</exception>
    public static string Find(string program, string package, string? environmentVariable = null, params string[] extraCandidates)
    {
        var looked = new List<string>();
        if (environmentVariable is not null)
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable(environmentVariable);
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                if (IsExecutable(fromEnvironment))
                {
                    return fromEnvironment;
                }

                looked.Add($"${environmentVariable}={fromEnvironment}");
            }
        }

        string path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (string directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SystemDirectories))
        {
            string candidate = Path.Combine(directory, program);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        looked.Add("PATH, /usr/sbin, /sbin");
        foreach (string candidate in extraCandidates)
        {
            if (IsExecutable(candidate))
            {
                return candidate;
            }

            looked.Add(candidate);
        }

        throw new PeerNotFoundException(
            $"peer '{program}' (Debian package {package}) not found (looked in {string.Join(", ", looked)}); {InstallHint}");
    }

    /// <summary>The repository's top directory (where scripts/install-peers.sh is), found upwards from the test binaries.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "scripts", "install-peers.sh")))
                {
                    return directory.FullName;
                }
            }

            // Built with --artifacts-path outside the tree: fall back to the working directory's ancestors.
            for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "scripts", "install-peers.sh")))
                {
                    return directory.FullName;
                }
            }

            return "/work/main";
        }
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path)
        && (OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
