namespace RecoverySim.Lab.Scenarios;

/// <summary>The bench's TFTP server: whether it answers, what it serves, and how lossy the link to it is.</summary>
/// <param name="Up">False: nothing answers (the board's requests time out).</param>
/// <param name="Release">The release it serves as the golden image, or null for none.</param>
/// <param name="LossPercent">Datagrams lost, per direction, in percent.</param>
/// <param name="DuplicatePercent">Datagrams delivered twice, in percent.</param>
/// <param name="ReorderPercent">Datagrams held back behind the next, in percent.</param>
/// <param name="Attempts">Attempts recovery makes at this source.</param>
public sealed record TftpSourceState(bool Up, string? Release, int LossPercent, int DuplicatePercent, int ReorderPercent, int Attempts)
{
    /// <summary>True when the link impairs datagrams.</summary>
    public bool Lossy => LossPercent > 0 || DuplicatePercent > 0 || ReorderPercent > 0;

    /// <inheritdoc/>
    public override string ToString() => !Up ? "down" : Lossy
        ? $"up, serving {Release ?? "nothing"}, {LossPercent}% loss, {DuplicatePercent}% duplication, {ReorderPercent}% reordering"
        : $"up, serving {Release ?? "nothing"}";
}

/// <summary>The USB stick: whether it is plugged in, and which release its golden image is.</summary>
public sealed record UsbSourceState(bool Present, string? Release)
{
    /// <inheritdoc/>
    public override string ToString() => Present ? $"present, holding {Release ?? "no golden image"}" : "absent";
}
