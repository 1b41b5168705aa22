namespace RecoverySim.Bootloader.Boards;

/// <summary>The board.json names of <see cref="NetworkType"/>.</summary>
public static class NetworkTypeNames
{
    /// <summary>Every name with its value, in the order documentation lists them.</summary>
    public static IReadOnlyList<(string Name, NetworkType Value)> All { get; } =
        [("wifi", NetworkType.Wifi), ("ethernet", NetworkType.Ethernet), ("cellular", NetworkType.Cellular), ("offline", NetworkType.Offline)];

    /// <summary>The name of <paramref name="type"/>.</summary>
    public static string Name(NetworkType type) =>
        All.FirstOrDefault(n => n.Value == type).Name ?? throw new ArgumentOutOfRangeException(nameof(type), type, "not a network type");

    /// <summary>The network type named <paramref name="name"/>, or false.</summary>
    public static bool TryParse(string? name, out NetworkType type)
    {
        foreach ((string n, NetworkType v) in All)
        {
            if (n == name)
            {
                type = v;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>True for a link a Wi-Fi-only board may download over (Wi-Fi or Ethernet: unmetered).</summary>
    public static bool IsUnmetered(NetworkType type) => type is NetworkType.Wifi or NetworkType.Ethernet;
}
