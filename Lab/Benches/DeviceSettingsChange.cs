using RecoverySim.Bootloader.Boards;

namespace RecoverySim.Lab.Benches;

/// <summary>
/// The device settings the dashboard's settings page sets (the seed's settings page): Wi-Fi-only
/// downloads, the maintenance window, approval before install, and the simulated network link.
/// Applied through <see cref="BoardSettings.Change"/>, as <c>recoverysim board settings</c> applies them.
/// </summary>
/// <param name="WifiOnly">Download only over Wi-Fi or Ethernet.</param>
/// <param name="Window">The maintenance window, or null for any time.</param>
/// <param name="RequireApproval">Install only a release the user approved.</param>
/// <param name="Network">The simulated link.</param>
public sealed record DeviceSettingsChange(bool WifiOnly, MaintenanceWindow? Window, bool RequireApproval, NetworkType Network)
{
    /// <summary>Writes the settings into the board directory's board.json; returns what is stored.</summary>
    /// <exception cref="BoardException">board.json is missing or invalid.</exception>
    public BoardConfig ApplyTo(string boardDirectory) => BoardSettings.Change(boardDirectory, c => c with
    {
        Update = c.Update with { WifiOnly = WifiOnly, MaintenanceWindow = Window, RequireApproval = RequireApproval },
        Network = Network,
    });
}
