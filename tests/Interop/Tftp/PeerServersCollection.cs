namespace RecoverySim.Interop.Tests.Tftp;

/// <summary>
/// The test classes that use the real TFTP servers share one <see cref="PeerServersFixture"/>
/// (dnsmasq can only serve on port 69, so there is one of each server at a time).
/// </summary>
[CollectionDefinition(Name)]
public sealed class PeerServersCollection : ICollectionFixture<PeerServersFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "real TFTP servers";
}
