namespace RecoverySim.GoldenImage.Hashing;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler on the reporting thread, at once
/// (unlike <see cref="Progress{T}"/>, which posts to a captured context and may run late).
/// </summary>
internal sealed class SyncProgress(Action<long> handler) : IProgress<long>
{
    public void Report(long value) => handler(value);
}
