namespace RecoverySim.GoldenImage.Hashing;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler on the reporting thread, at once
/// (<see cref="Progress{T}"/> posts to a synchronization context or the thread pool instead, so
/// reports can arrive late and out of order). The handler must be cheap and thread-safe when
/// reports come from several threads.
/// </summary>
/// <param name="handler">Called with each report.</param>
public sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => handler(value);
}
