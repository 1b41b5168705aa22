using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Lab.Updates;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim update-server</c>: the OTA update server (docs/FORMAT.md "Update server HTTP
/// API") until Ctrl+C or SIGTERM; SIGHUP reads the root again.
/// </summary>
public static class UpdateServerCommand
{
    /// <summary>Builds the <c>update-server</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new SignalHandlingCommand("update-server",
            "Serve signed update indexes and packages over HTTP from ROOT/BOARD/CHANNEL/*.rsim and take install reports, until Ctrl+C or SIGTERM; SIGHUP reads the root again.");
        var root = new Option<string>("--root") { Description = "The directory served: ROOT/BOARD/CHANNEL/*.rsim.", Required = true };
        var key = new Option<string>("--key") { Description = "The private key (PKCS#8 PEM) that signs the indexes.", Required = true };
        var packageKeys = new Option<string[]>("--package-key") { Description = "A public key (PEM) package manifests must be signed by; repeatable. Without it, manifests are listed unverified (devices verify them).", AllowMultipleArgumentsPerToken = false };
        var address = new Option<string>("--address") { Description = "The address to listen on (IPv4 or IPv6).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = NumericOptions.Integer("--port", "The TCP port; 0 picks a free one (printed at start).", 0, 65535, 8080);
        var validity = NumericOptions.Integer("--validity", "Hours an index stays valid (1-8784); indexes are signed again every half of it.", 1, (int)UpdateIndex.MaxValidity.TotalHours, 24);
        var json = new Option<bool>("--json") { Description = "Log as JSON lines." };
        foreach (Option option in (Option[])[root, key, packageKeys, address, port, validity, json])
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string rootPath = parse.GetValue(root)!;
            if (!Directory.Exists(rootPath))
            {
                throw new CommandFailedException($"--root '{rootPath}' is not an existing directory");
            }

            string addressText = parse.GetValue(address)!;
            if (!IPAddress.TryParse(addressText.Trim('[', ']'), out IPAddress? ip))
            {
                throw new CommandFailedException($"--address '{addressText}' is not an IPv4 or IPv6 address", ExitCodes.Usage);
            }

            SigningKey indexKey = SigningKey.Load(parse.GetValue(key)!);
            var trusted = new TrustedKeySet((parse.GetValue(packageKeys) ?? []).Select(VerificationKey.Load));
            bool asJson = parse.GetValue(json);
            var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
            var server = new UpdateServer(new UpdateServerOptions
            {
                Root = rootPath,
                IndexKey = indexKey,
                Address = ip,
                Port = parse.GetValue(port),
                IndexValidity = TimeSpan.FromHours(parse.GetValue(validity)),
                PackageKeys = trusted,
                Time = context.Time,
                Events = e => lines.Writer.TryWrite(asJson ? EventJson(e) : $"{UtcTimestamp.Format(e.Time)} {e.Kind}: {e.Message}"),
            });
            try
            {
                await server.StartAsync(cancel).ConfigureAwait(false);
            }
            catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw new CommandFailedException($"cannot listen on {ip}:{parse.GetValue(port)}: {e.Message}");
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await using (server.ConfigureAwait(false))
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                using var signals = Service.ServiceSignals.Register(stop, () => _ = ReloadAsync(server, lines.Writer, asJson, context.Time));

                string status = $"serving {server.Options.Root} on {server.BaseAddress} ({server.BoardCount} boards, {server.ChannelCount} channels, {server.PackageCount} packages, index key {indexKey.KeyId})";
                await context.Output.WriteLineAsync(asJson
                    ? CliJson.Write(new JsonObject
                    {
                        ["event"] = "listening", ["url"] = server.BaseAddress.ToString(), ["endpoint"] = server.LocalEndPoint.ToString(), ["root"] = server.Options.Root,
                        ["boards"] = server.BoardCount, ["channels"] = server.ChannelCount, ["packages"] = server.PackageCount, ["index_key_id"] = indexKey.KeyId.ToString(),
                    })
                    : $"{status}; Ctrl+C stops").ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    while (await lines.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                    {
                        while (lines.Reader.TryRead(out string? line))
                        {
                            await context.Output.WriteLineAsync(line).ConfigureAwait(false);
                        }

                        await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }

                await server.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                while (lines.Reader.TryRead(out string? line))
                {
                    await context.Output.WriteLineAsync(line).ConfigureAwait(false);
                }
            }

            await context.Output.WriteLineAsync(asJson ? CliJson.Write(new JsonObject { ["event"] = "stopped" }) : "stopped").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task ReloadAsync(UpdateServer server, ChannelWriter<string> lines, bool asJson, TimeProvider time)
    {
        try
        {
            await server.ReloadAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var failed = new UpdateServerEvent(time.GetUtcNow(), "error", $"SIGHUP: reload failed, the previous indexes are still served: {e.Message}");
            lines.TryWrite(asJson ? EventJson(failed) : $"{UtcTimestamp.Format(failed.Time)} {failed.Kind}: {failed.Message}");
        }
    }

    private static string EventJson(UpdateServerEvent e) => CliJson.Write(new JsonObject
    {
        ["time"] = e.Time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ["event"] = e.Kind, ["message"] = e.Message,
        ["method"] = e.Method, ["path"] = e.Path, ["status"] = e.Status, ["bytes"] = e.Bytes, ["remote"] = e.Remote,
    });
}
