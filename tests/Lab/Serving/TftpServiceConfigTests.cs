using System.Net;
using System.Text;
using RecoverySim.GoldenImage.Json;
using RecoverySim.Lab.Serving;

namespace RecoverySim.Lab.Tests.Serving;

/// <summary>The <c>serve --config</c> file: every key, its defaults, and the bad input of issue 13.</summary>
public sealed class TftpServiceConfigTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("rs-serve-config-").FullName;

    public TftpServiceConfigTests() => Directory.CreateDirectory(Path.Join(directory, "root"));

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private TftpServiceConfig Parse(string json) => TftpServiceConfig.Parse(Encoding.UTF8.GetBytes(json), "serve.json", directory);

    private string Error(string json) => Assert.Throws<JsonInputException>(() => Parse(json)).Message;

    [Fact]
    public void A_file_with_only_a_root_gets_the_server_defaults()
    {
        TftpServiceConfig config = Parse("""{ "root": "root" }""");
        var defaults = new Tftp.TftpServerOptions { Root = "x" };
        Assert.Equal(Path.Join(directory, "root"), config.Server.Root); // relative to the file's directory
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 69), config.Server.EndPoint);
        Assert.Equal(defaults with { Root = config.Server.Root, Allow = config.Server.Allow, Deny = config.Server.Deny }, config.Server);
        Assert.Empty(config.Server.Allow);
        Assert.Null(config.Metrics);
    }

    [Fact]
    public void Every_key_is_read()
    {
        TftpServiceConfig config = Parse("""
            {
              "root": "root", "address": "::1", "port": 6969, "allow_write": true, "allow_overwrite": true,
              "max_transfers": 10, "max_transfers_per_client": 2, "timeout_ms": 250, "retries": 7,
              "max_blksize": 1468, "max_windowsize": 8, "receive_spin_us": 0,
              "allow": ["10.0.0.0/8", "fd00::/8"], "deny": ["10.1.0.0/16"], "rate_limit": 1048576,
              "max_file_size": 1000000, "shutdown_grace_seconds": 3, "metrics": "[::1]:9464"
            }
            """);
        Tftp.TftpServerOptions s = config.Server;
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 6969), s.EndPoint);
        Assert.True(s.AllowWrite && s.AllowOverwrite);
        Assert.Equal((10, 2, 7, 1468, 8), (s.MaxTransfers, s.MaxTransfersPerClient, s.MaxRetries, s.MaxBlockSize, s.MaxWindowSize));
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.Timeout);
        Assert.Equal(TimeSpan.Zero, s.ReceiveSpin);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8")], s.Allow);
        Assert.Equal([IPNetwork.Parse("10.1.0.0/16")], s.Deny);
        Assert.Equal(1048576, s.RateLimit);
        Assert.Equal((1000000L, 1000000L), (s.MaxReadSize, s.MaxWriteSize));
        Assert.Equal(TimeSpan.FromSeconds(3), s.ShutdownGrace);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9464), config.Metrics);
        s.Validate();
    }

    [Theory]
    [InlineData("""{ "root": "root", "allow_writes": true }""", "serve.json: $.allow_writes: expected one of the fields root, address,")]
    [InlineData("""{ "root": "root", "allow": ["10.0.0.0/33"] }""", "serve.json: $.allow[0]: expected a CIDR network such as 192.168.1.0/24 or fd00::/8, no bits set after the prefix, found \"10.0.0.0/33\"")]
    [InlineData("""{ "root": "root", "deny": ["10.0.0.0/8", "10.0.0.1/8"] }""", "serve.json: $.deny[1]: expected a CIDR network")]
    [InlineData("""{ "root": "root", "deny": ["10.0.0.1"] }""", "serve.json: $.deny[0]: expected a CIDR network")]
    [InlineData("""{ "root": "root", "allow": ["fe80::/10%eth0"] }""", "serve.json: $.allow[0]: expected a CIDR network")]
    [InlineData("""{ "root": "root", "allow": ["garbage"] }""", "serve.json: $.allow[0]: expected a CIDR network")]
    [InlineData("""{ "root": "missing" }""", "serve.json: $.root: expected a readable directory, found \"missing\", no such directory")]
    [InlineData("""{ "root": "" }""", "serve.json: $.root: expected a directory, found \"\"")]
    [InlineData("""{ "port": 69 }""", "serve.json: $.root: expected a string, found nothing (the field is required)")]
    [InlineData("""{ "root": "root", "port": 65536 }""", "serve.json: $.port: expected an integer from 0 to 65535, found 65536")]
    [InlineData("""{ "root": "root", "address": "localhost" }""", "serve.json: $.address: expected an IPv4 or IPv6 address, found \"localhost\"")]
    [InlineData("""{ "root": "root", "timeout_ms": 0 }""", "serve.json: $.timeout_ms: expected an integer from 1 to 255000, found 0")]
    [InlineData("""{ "root": "root", "max_blksize": 7 }""", "serve.json: $.max_blksize: expected an integer from 8 to 65464, found 7")]
    [InlineData("""{ "root": "root", "rate_limit": -1 }""", "serve.json: $.rate_limit: expected an integer from 0 to")]
    [InlineData("""{ "root": "root", "max_file_size": -1 }""", "serve.json: $.max_file_size: expected an integer from 0 to")]
    [InlineData("""{ "root": "root", "shutdown_grace_seconds": 3601 }""", "serve.json: $.shutdown_grace_seconds: expected an integer from 0 to 3600, found 3601")]
    [InlineData("""{ "root": "root", "allow_overwrite": true }""", "serve.json: $.allow_overwrite: expected false unless allow_write is true, found true")]
    [InlineData("""{ "root": "root", "metrics": "localhost:9464" }""", "serve.json: $.metrics: expected ADDRESS:PORT")]
    [InlineData("""{ "root": "root", "timeout_ms": 1.5 }""", "serve.json: $.timeout_ms: expected an integer from")]
    [InlineData("""{ "root": "root", "root": "root" }""", "serve.json: $.root: expected each field once")]
    public void A_bad_file_is_one_error_naming_the_key(string json, string message)
    {
        Assert.StartsWith(message, Error(json), StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_that_is_a_file_is_refused()
    {
        File.WriteAllText(Path.Join(directory, "file"), "x");
        Assert.Equal("serve.json: $.root: expected a readable directory, found \"file\", a file, not a directory", Error("""{ "root": "file" }"""));
    }

    [Fact]
    public void Load_names_the_file_as_given()
    {
        string path = Path.Join(directory, "serve.json");
        File.WriteAllText(path, """{ "root": "root", "bogus": 1 }""");
        Assert.StartsWith($"{path}: $.bogus: expected one of the fields", Assert.Throws<JsonInputException>(() => TftpServiceConfig.Load(path)).Message, StringComparison.Ordinal);
    }
}
