using System.Security.Cryptography;
using System.Text;
using RecoverySim.BlockDevice;
using RecoverySim.Bootloader.Boards;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.Lab.Time;
using RecoverySim.Recovery.Updates;
using RecoverySim.Testing;

namespace RecoverySim.Lab.Tests.Updates;

/// <summary>
/// The attack suite (issue #11 item 4, docs/UPDATES.md "Attacks"), after TUF's and Uptane's threat
/// lists, run against the agent: each attack is refused with its reason, the board stays on its
/// running release r1, nothing in userdata changes, and no byte of the target slot is written
/// before the refusal (the disk compared whole where the attack is caught before the install).
/// </summary>
public sealed class UpdateAttackTests
{
    private static async Task<UpdateCheckResult> RefusedAsync(AgentBench bench, string reason, HttpClient? http = null, bool diskUnchanged = true)
    {
        string before = Hash(bench.Disk);
        UpdateCheckResult result = await bench.CheckAsync(http);

        Assert.Equal(UpdateStatus.Refused, result.Status);
        Assert.Equal(reason, result.Reason);
        Assert.DoesNotContain('\n', result.Detail);
        Assert.Equal("r1", bench.RunningRelease());
        Assert.True(bench.UserdataIntact());
        if (diskUnchanged)
        {
            Assert.Equal(before, Hash(bench.Disk));
        }

        await bench.RebootAsync(CancellationToken.None);
        Assert.Equal("r1", bench.RunningRelease());
        Assert.Contains("update-refused", bench.Events);
        return result;
    }

    [Fact]
    public async Task Rollback_an_older_release_is_refused()
    {
        // The server offers only r0, rollback index 0, signed by the release key: the board holds 1.
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false, populate: async dir =>
        {
            File.Delete(Path.Join(dir, "r2.rsim"));
            await File.WriteAllBytesAsync(Path.Join(dir, "r0.rsim"), await AgentBench.ReleaseAsync(0, 0));
        });
        UpdateCheckResult result = await RefusedAsync(bench, "rollback");
        Assert.Contains("rollback index 0, below the board's 1", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Freeze_an_expired_index_is_refused()
    {
        // The server's clock is a month behind: every index it signs expired long before the board's now.
        await using AgentBench bench = await AgentBench.CreateAsync(serverTime: new SimulatedClock(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)));
        UpdateCheckResult result = await RefusedAsync(bench, "freeze");
        Assert.Contains("expired at 2026-11-02T00:00:00Z", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_an_index_older_than_the_last_accepted_is_refused()
    {
        await using AgentBench bench = await AgentBench.CreateAsync();
        bench.State.Save(UpdateState.Initial with { LastSequence = 5 });
        UpdateCheckResult result = await RefusedAsync(bench, "replayed-index");
        Assert.Contains("below 5", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arbitrary_software_an_index_altered_in_transit_fails_its_signature()
    {
        await using AgentBench bench = await AgentBench.CreateAsync();
        using var http = new HttpClient(new TamperingHandler(async (request, response) =>
        {
            if (!request.RequestUri!.AbsolutePath.EndsWith("/index.json", StringComparison.Ordinal))
            {
                return response;
            }

            string json = await response.Content.ReadAsStringAsync();
            return TamperingHandler.WithBody(response, new ByteArrayContent(Encoding.UTF8.GetBytes(json.Replace("\"rollback_index\": 2", "\"rollback_index\": 9", StringComparison.Ordinal))));
        }));
        UpdateCheckResult result = await RefusedAsync(bench, "bad-signature", http);
        Assert.Contains("does not verify with any trusted key", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arbitrary_software_a_package_signed_by_an_unknown_key_is_refused_before_a_write()
    {
        // The server lists a package signed by a key the board does not trust (a compromised build machine).
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false, populate: async dir =>
            await File.WriteAllBytesAsync(Path.Join(dir, "r3.rsim"), await AgentBench.ReleaseAsync(3, 3, AgentBench.OtherKey)),
            packageKeys: new TrustedKeySet(UpdateRoot.ReleaseKey.PublicKey, AgentBench.OtherKey.PublicKey));
        UpdateCheckResult result = await RefusedAsync(bench, "bad-signature");
        Assert.Equal("rel-r3", result.Package!.ReleaseId);
        Assert.Contains("signature", result.Detail, StringComparison.Ordinal);
        Assert.Null(new DownloadArea(bench.AreaDevice).Read());
    }

    [Fact]
    public async Task Endless_data_a_body_past_the_declared_size_is_cut_and_refused()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        using var http = new HttpClient(new TamperingHandler(async (request, response) =>
        {
            if (!TamperingHandler.IsPackage(request, "r2.rsim"))
            {
                return response;
            }

            byte[] body = await response.Content.ReadAsByteArrayAsync();
            // No Content-Length (chunked): the agent can only count.
            return TamperingHandler.WithBody(response, new StreamContent(new PassThroughStream(new MemoryStream([.. body, .. new byte[1 << 20]]))));
        }));
        UpdateCheckResult result = await RefusedAsync(bench, "endless-data", http);
        Assert.Contains("more than the", result.Detail, StringComparison.Ordinal);
        Assert.Null(new DownloadArea(bench.AreaDevice).Read());
    }

    [Fact]
    public async Task Endless_data_a_declared_length_past_the_index_is_refused_before_reading()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        using var http = new HttpClient(new TamperingHandler(async (request, response) =>
        {
            if (!TamperingHandler.IsPackage(request, "r2.rsim"))
            {
                return response;
            }

            byte[] body = await response.Content.ReadAsByteArrayAsync();
            return TamperingHandler.WithBody(response, new ByteArrayContent([.. body, 0]));
        }));
        UpdateCheckResult result = await RefusedAsync(bench, "endless-data", http);
        Assert.Contains("the index declares", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_board_an_index_for_another_board_is_refused()
    {
        // A man in the middle answers with the (validly signed) index of another board.
        await using AgentBench bench = await AgentBench.CreateAsync(populate: async dir =>
        {
            string other = Path.Join(dir, "..", "..", "board-2", "stable");
            Directory.CreateDirectory(other);
            await File.WriteAllBytesAsync(Path.Join(other, "r2.rsim"), await AgentBench.ReleaseAsync(2, 2, board: "board-2"));
        });
        using var http = new HttpClient(new TamperingHandler((_, response) => Task.FromResult(response), request =>
            request.RequestUri = new Uri(request.RequestUri!.AbsoluteUri.Replace("/v1/board-1/", "/v1/board-2/", StringComparison.Ordinal))));
        UpdateCheckResult result = await RefusedAsync(bench, "wrong-board", http);
        Assert.Contains("board_id is 'board-2', expected 'board-1'", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mix_and_match_the_bytes_of_another_release_under_the_offered_name_are_refused()
    {
        // The index offers r2; the network answers with r3's package (validly signed, another release).
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        byte[] r3 = await AgentBench.ReleaseAsync(3, 3);
        Array.Resize(ref r3, (int)new FileInfo(Path.Join(bench.Root.ChannelDirectory, "r2.rsim")).Length); // the size the index declares
        using var http = new HttpClient(new TamperingHandler((request, response) => Task.FromResult(TamperingHandler.IsPackage(request, "r2.rsim")
            ? TamperingHandler.WithBody(response, new StreamContent(new MemoryStream(r3)))
            : response)));
        UpdateCheckResult result = await RefusedAsync(bench, "hash-mismatch", http);
        Assert.Contains("but the index says", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mix_and_match_a_package_whose_manifest_names_another_release_than_the_index_is_refused_before_a_write()
    {
        // The board has r3's bytes held in its download area under r2's entry (as if the server had listed them so).
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
        byte[] r3 = await AgentBench.ReleaseAsync(3, 3);
        using (Board board = bench.Open())
        {
            var update = new SlotUpdate(board, new Bootloader.Boot.BootLog(new Bootloader.Boot.BootClock(bench.Clock)));
            string before = Hash(bench.Disk);
            SlotUpdateException e = await Assert.ThrowsAsync<SlotUpdateException>(() =>
                update.InstallAsync(() => new MemoryStream(r3, false), new GoldenImage.Updates.UpdateRelease("rel-r2", "2.0", 2)));
            Assert.Equal("mix-and-match", e.Reason);
            Assert.Contains("but release rel-r2 (2.0, rollback index 2) was offered: nothing written", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, Hash(bench.Disk));
        }
    }

    [Fact]
    public async Task Slow_retrieval_a_trickle_below_the_minimum_rate_is_stopped()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false, policy: UpdatePolicy.Default with { MinRateBytesPerSecond = 4096, RateWindowSeconds = 10 });
        var transfer = new ManualTimeProvider();
        using var http = new HttpClient(new TamperingHandler((request, response) => Task.FromResult(TamperingHandler.IsPackage(request, "r2.rsim")
            ? TamperingHandler.WithBody(response, new StreamContent(new TrickleStream(response.Content.ReadAsStream(), transfer, bytesPerSecond: 1024)))
            : response)));
        string before = Hash(bench.Disk);
        UpdateCheckResult result;
        using (Board board = bench.Open())
        {
            result = await bench.Agent(board, http, transferTime: transfer).CheckAsync();
        }

        Assert.Equal((UpdateStatus.Refused, "slow-retrieval"), (result.Status, result.Reason));
        Assert.Contains("below the minimum of 4096", result.Detail, StringComparison.Ordinal);
        Assert.Equal(before, Hash(bench.Disk));
        Assert.Equal("r1", bench.RunningRelease());
    }

    [Fact]
    public async Task Slow_retrieval_a_server_that_goes_silent_is_stopped_after_one_window()
    {
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false, policy: UpdatePolicy.Default with { MinRateBytesPerSecond = 4096, RateWindowSeconds = 10 });
        var transfer = new ManualTimeProvider();
        using var http = new HttpClient(new TamperingHandler((request, response) => Task.FromResult(TamperingHandler.IsPackage(request, "r2.rsim")
            ? TamperingHandler.WithBody(response, new StreamContent(new SilentStream(transfer)))
            : response)));
        UpdateCheckResult result;
        using (Board board = bench.Open())
        {
            result = await bench.Agent(board, http, transferTime: transfer).CheckAsync();
        }

        Assert.Equal((UpdateStatus.Refused, "slow-retrieval"), (result.Status, result.Reason));
        Assert.Contains("nothing for 10 s", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delta_for_another_source_is_never_chosen_the_full_package_is()
    {
        // The server holds only a delta from r0; the board runs r1, so the full package of r2 is the one to take.
        await using AgentBench bench = await AgentBench.CreateAsync(delta: false, populate: async dir =>
            await File.WriteAllBytesAsync(Path.Join(dir, "r0-to-r2.rsim"), await AgentBench.DeltaAsync(await AgentBench.ReleaseAsync(0, 0), await AgentBench.ReleaseAsync(2, 2))));
        UpdateCheckResult result = await bench.CheckAsync();
        Assert.Equal(UpdateStatus.Installed, result.Status);
        Assert.Equal("r2.rsim", result.Package!.File);
    }

    [Fact]
    public async Task Partial_install_a_power_cut_at_every_write_of_the_update_leaves_a_bootable_board_and_the_next_check_finishes()
    {
        // Count the writes of one whole check (download, install, reboot), then cut at each.
        int total;
        await using (AgentBench counting = await AgentBench.CreateAsync(delta: false))
        {
            var disk = new Faults(counting.Disk);
            var area = new Faults(counting.AreaDevice);
            using (Board board = counting.Open(disk))
            {
                Assert.Equal(UpdateStatus.Installed, (await counting.Agent(board, area: area).CheckAsync()).Status);
            }

            total = disk.Writes + area.Writes;
        }

        Assert.True(total > 20, $"{total} writes");
        for (int cut = 1; cut <= total; cut++)
        {
            await using AgentBench bench = await AgentBench.CreateAsync(delta: false);
            var budget = new Budget(cut);
            var disk = new Faults(bench.Disk, budget);
            var area = new Faults(bench.AreaDevice, budget);
            using (Board board = bench.Open(disk))
            {
                await Assert.ThrowsAsync<PowerLossException>(() => bench.Agent(board, area: area).CheckAsync());
            }

            // Power returns: the board boots a signed release, its userdata whole; the next check finishes the update.
            await bench.RebootAsync(CancellationToken.None);
            Assert.Contains(bench.RunningRelease(), new[] { "r1", "r2" });
            Assert.True(bench.UserdataIntact(), $"cut at write {cut}");
            UpdateCheckResult next = await bench.CheckAsync();
            Assert.True(next.Status is UpdateStatus.Installed or UpdateStatus.UpToDate, $"cut at write {cut}: {next.Status} {next.Detail}");
            Assert.Equal("r2", bench.RunningRelease());
            Assert.True(bench.UserdataIntact());
        }
    }

    private static string Hash(IBlockDevice device)
    {
        using var stream = new BlockDeviceStream(device, writable: false);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes left before the power goes, shared by the devices of one board.</summary>
    private sealed class Budget(int writes)
    {
        public int Left { get; set; } = writes;
    }

    /// <summary>A device that counts writes and loses power when the shared budget runs out (the write that meets it is lost).</summary>
    private sealed class Faults(IBlockDevice inner, Budget? budget = null) : IBlockDevice
    {
        public int Writes { get; private set; }

        public int SectorSize => inner.SectorSize;

        public long SectorCount => inner.SectorCount;

        public void Read(long sector, Span<byte> buffer) => inner.Read(sector, buffer);

        public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
        {
            if (budget is not null && budget.Left-- <= 1)
            {
                budget.Left = 0;
                throw new PowerLossException("power cut (test)");
            }

            Writes++;
            inner.Write(sector, data, flags);
        }

        public void Flush()
        {
            if (budget is { Left: 0 })
            {
                throw new PowerLossException("power cut (test)");
            }

            inner.Flush();
        }

        public void Discard(long sector, long count) => inner.Discard(sector, count);

        public void Dispose()
        {
        }
    }

    /// <summary>A body that gives at most 1 KiB per read and moves the transfer clock as a link of <paramref name="bytesPerSecond"/> would.</summary>
    private sealed class TrickleStream(Stream inner, ManualTimeProvider clock, int bytesPerSecond) : ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, 1024)], cancellationToken);
            clock.Advance(TimeSpan.FromSeconds(n / (double)bytesPerSecond));
            return n;
        }
    }

    /// <summary>A body that never sends a byte: each read moves the transfer clock past the stall limit and then waits for the cancellation.</summary>
    private sealed class SilentStream(ManualTimeProvider clock) : ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => never.TrySetCanceled(cancellationToken)))
            {
                clock.Advance(TimeSpan.FromSeconds(11)); // fires the agent's stall timer
                await never.Task;
            }

            return 0;
        }
    }

    /// <summary>A body of unknown length (sent chunked): the agent can only count what arrives.</summary>
    private sealed class PassThroughStream(Stream inner) : ReadOnlyStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    }

    /// <summary>The bodies above answer asynchronously only, as the agent reads them.</summary>
    private abstract class ReadOnlyStream : ForwardOnlyReadStream
    {
        public override int Read(Span<byte> buffer) => throw new NotSupportedException("async only");
    }
}
