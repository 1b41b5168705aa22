namespace RecoverySim.Recovery.Updates;

/// <summary>An update state kept in memory, through the file's bytes (so the Lab and tests go through the one parser).</summary>
public sealed class MemoryUpdateStateStore : IUpdateStateStore
{
    private byte[]? _bytes;

    /// <summary>The stored bytes of <c>update-state.json</c>, or null before the first save.</summary>
    public ReadOnlyMemory<byte>? Bytes => _bytes;

    /// <inheritdoc/>
    public UpdateState Load() => _bytes is null ? UpdateState.Initial : UpdateStateFile.Parse(_bytes);

    /// <inheritdoc/>
    public void Save(UpdateState state) => _bytes = UpdateStateFile.ToJson(state);
}
