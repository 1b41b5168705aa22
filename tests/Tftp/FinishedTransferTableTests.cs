using System.Net;
using RecoverySim.Tftp.Server;

namespace RecoverySim.Tftp.Tests;

/// <summary>The server's table of recently finished transfers is bounded (issue 14, part 3: bounded memory under floods).</summary>
public sealed class FinishedTransferTableTests
{
    private static IPEndPoint Port(int port) => new(IPAddress.Loopback, port);

    [Fact]
    public void A_full_table_evicts_the_oldest_entry()
    {
        var table = new FinishedTransferTable(capacity: 3);
        for (int port = 1; port <= 4; port++)
        {
            table.Add(Port(port), TftpOperation.Read, "f", now: port, until: 1000);
        }

        Assert.Equal(3, table.Count);
        Assert.False(table.Contains(Port(1), TftpOperation.Read, "f", now: 5));
        Assert.True(table.Contains(Port(2), TftpOperation.Read, "f", now: 5));
        Assert.True(table.Contains(Port(4), TftpOperation.Read, "f", now: 5));
    }

    [Fact]
    public void A_flood_of_distinct_requests_never_holds_more_than_the_capacity()
    {
        var table = new FinishedTransferTable(capacity: 100);
        for (int i = 0; i < 20_000; i++)
        {
            table.Add(Port(1 + (i % 65535)), i % 2 == 0 ? TftpOperation.Read : TftpOperation.Write, $"file-{i}", now: 0, until: 1000);
            Assert.True(table.Count <= 100);
        }

        Assert.Equal(100, table.Count);
        Assert.True(table.Contains(Port(1 + 19_999), TftpOperation.Write, "file-19999", now: 0));
        Assert.False(table.Contains(Port(1 + 19_899), TftpOperation.Write, "file-19899", now: 0));
    }

    [Fact]
    public void Entries_end_with_their_window_and_expired_ones_are_removed()
    {
        var table = new FinishedTransferTable(capacity: 10);
        table.Add(Port(1), TftpOperation.Read, "f", now: 0, until: 10);
        table.Add(Port(2), TftpOperation.Read, "f", now: 5, until: 15);
        Assert.True(table.Contains(Port(1), TftpOperation.Read, "f", now: 9));
        Assert.False(table.Contains(Port(1), TftpOperation.Read, "f", now: 10));
        Assert.False(table.Contains(Port(1), TftpOperation.Write, "f", now: 9));
        Assert.False(table.Contains(Port(1), TftpOperation.Read, "g", now: 9));

        table.Add(Port(3), TftpOperation.Read, "f", now: 12, until: 22);
        Assert.Equal(2, table.Count); // port 1 expired at 10 and went
    }

    [Fact]
    public void The_same_request_again_is_one_entry_with_the_new_window()
    {
        var table = new FinishedTransferTable(capacity: 2);
        table.Add(Port(1), TftpOperation.Read, "f", now: 0, until: 10);
        table.Add(Port(1), TftpOperation.Read, "f", now: 1, until: 30);
        table.Add(Port(2), TftpOperation.Read, "f", now: 2, until: 30);
        Assert.Equal(2, table.Count);
        Assert.True(table.Contains(Port(1), TftpOperation.Read, "f", now: 20));
    }
}
