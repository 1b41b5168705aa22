namespace RecoverySim.Tftp.Tests;

[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationCollection
{
}

/// <summary>The data path allocates nothing per packet: allocation does not grow with the number of blocks.</summary>
[Collection(nameof(AllocationTests))]
public sealed class AllocationTests
{
    [Fact]
    public async Task Allocation_does_not_grow_with_the_number_of_packets()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        server.Root.Write("small", new byte[1 << 20]);
        server.Root.Write("large", new byte[4 << 20]);
        var client = new TftpClient(new TftpClientOptions { BlockSize = 512, RequestTransferSize = false });

        // Warm up (JIT tiers, pools), then measure both sizes: 2,048 and 8,192 packets each way.
        for (int i = 0; i < 3; i++)
        {
            await client.GetAsync(server.EndPoint, "large", Stream.Null);
        }

        long small = await MeasureAsync(() => client.GetAsync(server.EndPoint, "small", Stream.Null));
        long large = await MeasureAsync(() => client.GetAsync(server.EndPoint, "large", Stream.Null));

        long perExtraPacket = (large - small) / (2 * 6144);
        Assert.True(perExtraPacket < 8, $"{large - small} more bytes allocated for 6,144 more blocks: {perExtraPacket} bytes per packet");
    }

    private static async Task<long> MeasureAsync(Func<Task<TftpTransferResult>> transfer)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await transfer();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }
}
