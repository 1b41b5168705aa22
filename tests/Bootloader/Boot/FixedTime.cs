namespace RecoverySim.Bootloader.Tests.Boot;

/// <summary>A clock that always says the same time: boots are replayable, nothing sleeps.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public static FixedTime Epoch { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => now;
}
