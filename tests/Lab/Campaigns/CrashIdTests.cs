using CsCheck;
using RecoverySim.BlockDevice.Logging;
using RecoverySim.Lab.Campaigns;

namespace RecoverySim.Lab.Tests.Campaigns;

/// <summary>Crash ids print and parse back; anything else is refused with a reason.</summary>
public sealed class CrashIdTests
{
    private static readonly Gen<BoardCut> Cut = Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 3], Gen.Int[1, 64], Gen.Bool.Array[1, 40]).Select((k, kind, n, mask) => kind switch
    {
        1 => new BoardCut(CrashState.WithCacheLoss(k, mask), 0),
        2 => new BoardCut(CrashState.TornWrite(k, n), 0),
        3 => new BoardCut(CrashState.AfterPrefix(k), n),
        _ => BoardCut.After(k),
    });

    private static readonly Gen<CrashPoint> Point = Gen.Select(Cut, Cut, Gen.Bool).Select((a, b, two) => new CrashPoint(a, two ? b : null));

    [Fact]
    public void IdsRoundTrip() => Point.Sample(p => CrashPoint.Parse(p.ToString()) == p, seed: Testing.Fuzz.Seed(51));

    [Theory]
    [InlineData("")]
    [InlineData("q3")]
    [InlineData("p03")]
    [InlineData("p3+r0")]
    [InlineData("p3+r")]
    [InlineData("p3+r01")]
    [InlineData("p3/p4/p5")]
    [InlineData("p3/")]
    [InlineData("p3-t")]
    public void MalformedIdsAreRefused(string id) => Assert.False(CrashPoint.TryParse(id, out _, out string? error) || error is null);

    [Fact]
    public void KindsFollowTheId()
    {
        Assert.Equal(CrashKind.Prefix, CrashPoint.Parse("p7").Kind);
        Assert.Equal(CrashKind.Cache, CrashPoint.Parse("p7-c3").Kind);
        Assert.Equal(CrashKind.Torn, CrashPoint.Parse("p7-t2").Kind);
        Assert.Equal(CrashKind.Rpmb, CrashPoint.Parse("p7+r1").Kind);
        Assert.Equal(CrashKind.Depth2, CrashPoint.Parse("p7/p2").Kind);
    }
}
