namespace RecoverySim.Recovery.Sources;

/// <summary>
/// A golden image being read from a source: the stream, the bytes fetched so far, and (for a
/// source that pushes, such as a TFTP transfer) the task that ends when the source has delivered
/// everything; <see cref="CompleteAsync"/> waits for it, so a source's own error is seen even
/// when the reader stopped first.
/// </summary>
public sealed class OpenedGoldenImage : IAsyncDisposable
{
    private readonly Func<ValueTask>? _dispose;
    private readonly Task _completion;
    private readonly Func<long> _fetched;

    /// <summary>Wraps <paramref name="stream"/>.</summary>
    public OpenedGoldenImage(Stream stream, Func<long> fetched, Task? completion = null, Func<ValueTask>? dispose = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fetched);
        Stream = stream;
        _fetched = fetched;
        _completion = completion ?? Task.CompletedTask;
        _dispose = dispose;
    }

    /// <summary>The image, read from its first byte.</summary>
    public Stream Stream { get; }

    /// <summary>Bytes the source has delivered so far.</summary>
    public long BytesFetched => _fetched();

    /// <summary>Waits until the source has delivered everything, and throws what it failed with.</summary>
    public Task CompleteAsync() => _completion;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_dispose is not null)
        {
            await _dispose().ConfigureAwait(false);
        }

        await Stream.DisposeAsync().ConfigureAwait(false);
    }
}
