using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.Tftp;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim demo</c>: the whole story on loopback, told with the same commands a user
/// types. Each step prints the command line it runs, so the demo doubles as a tutorial.
/// </summary>
public static class DemoCommand
{
    private const string BoardId = "demo-board";

    /// <summary>Builds the <c>demo</c> command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "The whole story on loopback: sign a release, flash a board, boot it, brick it slot by slot, watch the power-on heal itself over TFTP, then, with the TFTP server stopped, from a USB stick; update it over the air with a delta package; then a power-cut campaign over an over-the-air update; userdata intact throughout.");
        var dir = new Option<string?>("--dir") { Description = "Working directory for keys, images and the board (default: a new temporary directory, kept for inspection)." };
        var seed = NumericOptions.Integer("--seed", "Seed of the payload bytes and of the corruption.", int.MinValue, int.MaxValue, 1);
        command.Options.Add(dir);
        command.Options.Add(seed);
        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string work = parse.GetValue(dir) ?? Directory.CreateTempSubdirectory("recoverysim-demo-").FullName;
            if (Directory.Exists(work) && Directory.EnumerateFileSystemEntries(work).Any())
            {
                throw new CommandFailedException($"--dir '{work}' is not empty: the demo needs a directory of its own");
            }

            Directory.CreateDirectory(work);
            var demo = new DemoRun(context, work);
            await demo.RunAsync(parse.GetValue(seed), cancel).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One run of the demo in its working directory.</summary>
    private sealed class DemoRun(CliContext context, string work)
    {
        private int _step;

        private string Keys => Path.Combine(work, "keys");

        private string Board => Path.Combine(work, "board");

        private string TftpRoot => Path.Combine(work, "tftp-root");

        public async Task RunAsync(int seed, CancellationToken cancel)
        {
            await context.Output.WriteLineAsync($"RecoverySim demo in {work}").ConfigureAwait(false);

            Step("Make a signing key and sign release 1.0.0 into a golden image");
            await RunAsync(cancel, "keys", "generate", "--out", Keys).ConfigureAwait(false);
            Directory.CreateDirectory(TftpRoot);
            string[] payloads = WritePayloads(seed);
            string golden = Path.Combine(TftpRoot, "golden.rsim");
            await RunAsync(cancel, "image", "build", "--key", Path.Combine(Keys, "private.pem"), "--board", BoardId,
                "--version", "1.0.0", "--rollback-index", "1",
                "--boot", payloads[0], "--system", payloads[1], "--vendor", payloads[2], "-o", golden).ConfigureAwait(false);

            // The lab bench: our TFTP server on a free loopback port, serving the golden image.
            var server = new TftpServer(new TftpServerOptions { Root = TftpRoot, EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, context.Time);
            string userdata;
            await using (server.ConfigureAwait(false))
            {
                await server.StartAsync(cancel).ConfigureAwait(false);
                string source = $"127.0.0.1:{server.LocalEndPoint.Port}";

                Step("Create an A/B board that trusts the key and recovers from the bench's TFTP server, then from a USB stick; factory-flash it");
                await RunAsync(cancel, "board", "create", Board, "--board", BoardId, "--pubkey", Path.Combine(Keys, "public.pem"),
                    "--tftp", $"{source}/golden.rsim", "--usb", "usb.img").ConfigureAwait(false);
                await RunAsync(cancel, "board", "flash", Board, golden).ConfigureAwait(false);
                userdata = WriteUserData(seed);
                await context.Output.WriteLineAsync($"(the user's files: 1 MiB written into userdata, which now hashes to {userdata[..16]}...)").ConfigureAwait(false);

                Step("Power on: slot a boots, the OS marks it successful, rollback indexes rise to 1");
                await BootAsync("booted", "a", cancel).ConfigureAwait(false);

                Step("Corrupt the header of boot_a: the bootloader rejects slot a and falls back to slot b");
                await RunAsync(cancel, "board", "corrupt", Board, "--partition", "boot_a", "--header").ConfigureAwait(false);
                await BootAsync("booted", "b", cancel).ConfigureAwait(false);

                Step($"Flip bits in boot_b's payload: no slot can boot, so the power-on enters recovery mode, fetches the golden image from {source} over TFTP, verifies it, reflashes both slots and boots again");
                await RunAsync(cancel, "board", "corrupt", Board, "--partition", "boot_b", "--bit-flips", "8",
                    "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await BootAsync("recovered", "a", cancel).ConfigureAwait(false);
                await CheckUserDataAsync(userdata).ConfigureAwait(false);

                Step("Write the golden image onto a USB stick (a FAT32 disk image with an MBR) for the board");
                await RunAsync(cancel, "usb", "create", Path.Combine(Board, "usb.img"), "--image", golden, "--fat", "32").ConfigureAwait(false);
            }

            Step("Stop the TFTP server and brick both slots again (system_a and system_b): recovery finds no TFTP server and heals the board from the USB stick");
            await RunAsync(cancel, "board", "corrupt", Board, "--partition", "system_a", "--header").ConfigureAwait(false);
            await RunAsync(cancel, "board", "corrupt", Board, "--partition", "system_b", "--offset", "8192", "--length", "4096").ConfigureAwait(false);
            await BootAsync("recovered", "a", cancel).ConfigureAwait(false);
            await CheckUserDataAsync(userdata).ConfigureAwait(false);

            Step("Sign release 2.0.0 and a delta package from 1.0.0, and serve them over HTTP from an update server; the board's update agent checks the signed index, downloads the delta (a few KiB instead of the full package), patches the other slot from the running one, reboots and reports");
            await UpdateOverTheAirAsync(payloads, cancel).ConfigureAwait(false);
            await CheckUserDataAsync(userdata).ConfigureAwait(false);

            Step("The board now");
            await RunAsync(cancel, "board", "inspect", Board).ConfigureAwait(false);

            Step("An over-the-air update as a scenario whose download breaks off and resumes, then a power-cut campaign over it: every crash state of its writes (download, install, reboot) rebuilt and powered on, the invariants checked");
            string scenario = Path.Combine(work, "update.json");
            await File.WriteAllTextAsync(scenario, DemoScenario, cancel).ConfigureAwait(false);
            await RunAsync(cancel, "powercut", scenario, "--list-writes").ConfigureAwait(false);
            await RunAsync(cancel, "powercut", scenario).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"Demo complete: everything it made is in {work}").ConfigureAwait(false);
        }

        /// <summary>Release 2.0.0 (1.0.0 with a few KiB of system changed) served by the update server, and one check of the board's agent against it.</summary>
        private async Task UpdateOverTheAirAsync(string[] payloads, CancellationToken cancel)
        {
            string channel = Path.Combine(work, "updates", BoardId, "stable");
            Directory.CreateDirectory(channel);
            byte[] system = await File.ReadAllBytesAsync(payloads[1], cancel).ConfigureAwait(false);
            for (int i = 0; i < 4096; i++)
            {
                system[(i * 257) % system.Length] ^= 0x5A;
            }

            string system2 = Path.Combine(work, "system-2.bin");
            await File.WriteAllBytesAsync(system2, system, cancel).ConfigureAwait(false);
            await RunAsync(cancel, "image", "build", "--key", Path.Combine(Keys, "private.pem"), "--board", BoardId,
                "--version", "2.0.0", "--rollback-index", "2",
                "--boot", payloads[0], "--system", system2, "--vendor", payloads[2], "-o", Path.Combine(channel, "release-2.0.0.rsim")).ConfigureAwait(false);
            // The board runs 1.0.0 (the golden image): a delta from it is what the agent will pick.
            await RunAsync(cancel, "image", "delta", "--from", Path.Combine(TftpRoot, "golden.rsim"), "--to", Path.Combine(channel, "release-2.0.0.rsim"),
                "--key", Path.Combine(Keys, "private.pem"), "-o", Path.Combine(channel, "release-1.0.0-to-2.0.0.rsim")).ConfigureAwait(false);
            var server = new Lab.Updates.UpdateServer(new Lab.Updates.UpdateServerOptions
            {
                Root = Path.Combine(work, "updates"),
                IndexKey = GoldenImage.Keys.SigningKey.Load(Path.Combine(Keys, "private.pem")),
                Port = 0,
                Time = context.Time,
            });
            await using (server.ConfigureAwait(false))
            {
                await server.StartAsync(cancel).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"(an update server on {server.BaseAddress}, as 'recoverysim update-server --root {Path.Combine(work, "updates")} --key KEY' runs it)").ConfigureAwait(false);
                await RunAsync(cancel, "update", Board, "--server", server.BaseAddress.ToString()).ConfigureAwait(false);
            }
        }

        /// <summary>An over-the-air update whose download breaks off once, on a board with no recovery source: the running slot alone must save the board at every cut (docs/SCENARIOS.md).</summary>
        private const string DemoScenario = """
            {
              "name": "demo-ota",
              "description": "The update agent updates 1.0 to 2.0 over the air; the download breaks off after 200,000 bytes and resumes at the next check; no recovery source.",
              "board": { "system_kib": 1024 },
              "releases": [
                { "name": "r1", "version": "1.0.0", "rollback_index": 1, "system_kib": 512 },
                { "name": "r2", "version": "2.0.0", "rollback_index": 2, "system_kib": 512 }
              ],
              "flash": "r1",
              "steps": [
                { "step": "power-on" },
                { "step": "ota", "release": "r2", "interrupt_after_bytes": 200000 },
                { "step": "ota", "release": "r2" },
                { "step": "expect", "outcome": "booted", "slot": "b", "release": "r2", "userdata_intact": true }
              ]
            }
            """;

        private async Task CheckUserDataAsync(string expected)
        {
            string after = HashUserData();
            if (after != expected)
            {
                throw new CommandFailedException($"demo: userdata changed: sha256 {expected} before, {after} after");
            }

            await context.Output.WriteLineAsync($"(userdata unchanged: sha256 {after[..16]}...)").ConfigureAwait(false);
        }

        /// <summary>Stands in for the user's files: seeded bytes at the start of userdata. Returns the partition's hash.</summary>
        private string WriteUserData(int seed)
        {
            byte[] files = new byte[1 << 20];
            new Random(seed ^ 0x5EED).NextBytes(files);
            using (UserData(writable: true, out Stream stream))
            {
                stream.Write(files);
            }

            return HashUserData();
        }

        private string HashUserData()
        {
            using (UserData(writable: false, out Stream stream))
            {
                return Convert.ToHexStringLower(SHA256.HashData(stream));
            }
        }

        private IDisposable UserData(bool writable, out Stream stream)
        {
            FileBlockDevice disk = FileBlockDevice.Open(Path.Combine(Board, "disk.img"), writable: writable);
            PartitionDevice partition = GptTable.Read(disk).Table.OpenPartition(disk, "userdata");
            stream = new BlockDeviceStream(partition, writable);
            return new DeviceLease(stream, disk);
        }

        /// <summary>Closes the stream, then the disk under it.</summary>
        private sealed class DeviceLease(Stream stream, IDisposable disk) : IDisposable
        {
            public void Dispose()
            {
                stream.Dispose();
                disk.Dispose();
            }
        }

        private void Step(string title)
        {
            _step++;
            context.Output.WriteLine();
            context.Output.WriteLine($"== {_step}. {title}");
        }

        /// <summary>Runs one command of this CLI as a user would type it; any failure ends the demo.</summary>
        private async Task RunAsync(CancellationToken cancel, params string[] args)
        {
            await context.Output.WriteLineAsync($"$ recoverysim {string.Join(' ', args.Select(Quote))}").ConfigureAwait(false);
            int code = await RecoverySimCli.RunAsync(args, context, cancel).ConfigureAwait(false);
            if (code != ExitCodes.Success)
            {
                throw new CommandFailedException($"demo: 'recoverysim {args[0]} {args[1]}' failed with exit code {code}");
            }
        }

        /// <summary>Powers the board on once and checks the outcome the story expects.</summary>
        private async Task BootAsync(string outcome, string? slot, CancellationToken cancel)
        {
            await context.Output.WriteLineAsync($"$ recoverysim boot {Quote(Board)}").ConfigureAwait(false);
            var json = new StringWriter();
            var quiet = new CliContext(json, context.Error, terminal: null, context.Time);
            await RecoverySimCli.RunAsync(["boot", Board, "--json"], quiet, cancel).ConfigureAwait(false);
            using JsonDocument result = JsonDocument.Parse(json.ToString());
            JsonElement root = result.RootElement;
            foreach (JsonElement e in root.GetProperty("events").EnumerateArray())
            {
                await context.Output.WriteLineAsync($"  {e.GetProperty("kind").GetString(),-24} {e.GetProperty("message").GetString()}").ConfigureAwait(false);
            }

            string? gotOutcome = root.GetProperty("outcome").GetString();
            string? gotSlot = root.TryGetProperty("slot", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            await context.Output.WriteLineAsync($"  => {gotOutcome}{(gotSlot is null ? "" : $" (slot {gotSlot})")}").ConfigureAwait(false);
            if (gotOutcome != outcome || (slot is not null && gotSlot != slot))
            {
                throw new CommandFailedException($"demo: expected boot outcome {outcome}{(slot is null ? "" : $" on slot {slot}")}, got {gotOutcome}{(gotSlot is null ? "" : $" on slot {gotSlot}")}");
            }
        }

        /// <summary>Seeded payloads: boot 256 KiB, system 1 MiB, vendor 512 KiB.</summary>
        private string[] WritePayloads(int seed)
        {
            var random = new Random(seed);
            var files = new List<string>();
            foreach ((string name, int size) in new[] { ("boot", 256 << 10), ("system", 1 << 20), ("vendor", 512 << 10) })
            {
                byte[] bytes = new byte[size];
                random.NextBytes(bytes);
                string path = Path.Combine(work, $"{name}.bin");
                File.WriteAllBytes(path, bytes);
                files.Add(path);
            }

            return [.. files];
        }

        private static string Quote(string arg) => arg.Contains(' ', StringComparison.Ordinal) ? $"'{arg}'" : arg;
    }
}
