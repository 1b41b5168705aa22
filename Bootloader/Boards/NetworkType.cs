namespace RecoverySim.Bootloader.Boards;

/// <summary>The simulated board's network link (board.json <c>simulation.network</c>): what the update agent's Wi-Fi-only policy looks at.</summary>
public enum NetworkType
{
    /// <summary><c>wifi</c>: a Wi-Fi link (the default).</summary>
    Wifi = 1,

    /// <summary><c>ethernet</c>: a wired link, unmetered like Wi-Fi.</summary>
    Ethernet = 2,

    /// <summary><c>cellular</c>: a metered mobile link; a Wi-Fi-only board downloads nothing over it.</summary>
    Cellular = 3,

    /// <summary><c>offline</c>: no link; the agent does not try the server.</summary>
    Offline = 4,
}
