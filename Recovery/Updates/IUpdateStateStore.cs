namespace RecoverySim.Recovery.Updates;

/// <summary>Where the update agent keeps its <see cref="UpdateState"/>: <see cref="UpdateStateFile"/> on a board directory, <see cref="MemoryUpdateStateStore"/> in the Lab and in tests.</summary>
public interface IUpdateStateStore
{
    /// <summary>The stored state, or <see cref="UpdateState.Initial"/> when none is stored.</summary>
    /// <exception cref="GoldenImage.ImageFormatException">The stored state is not valid (the message names the file and field).</exception>
    UpdateState Load();

    /// <summary>Stores <paramref name="state"/> whole: after a power cut the store holds it or the one before, never a mix.</summary>
    void Save(UpdateState state);
}
