using System.CommandLine;
using System.Text.Json.Nodes;
using RecoverySim.BlockDevice.Files;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Bundle;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Partitions;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// <c>recoverysim image build|verify|inspect</c>: golden images (DESIGN.md "Command line",
/// docs/FORMAT.md "Golden-image bundle").
/// </summary>
public static class ImageCommands
{
    /// <summary>Builds the <c>image</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var image = new Command("image", "Golden images: signed bundles of partition images.");
        image.Subcommands.Add(CreateBuild(context));
        image.Subcommands.Add(CreateVerify(context));
        image.Subcommands.Add(CreateInspect(context));
        image.Subcommands.Add(ImageDeltaCommands.CreateDelta(context));
        image.Subcommands.Add(ImageDeltaCommands.CreateBsdiff(context));
        image.Subcommands.Add(ImageDeltaCommands.CreateBspatch(context));
        return image;
    }

    private static Command CreateBuild(CliContext context)
    {
        var command = new Command("build", "Sign boot, system and vendor payloads into a golden image (streamed: memory does not grow with the payloads). The output is written under a temporary name and renamed when complete.");
        var key = new Option<string>("--key") { Description = "Private key (PKCS#8 PEM: 'recoverysim keys generate' or 'openssl genpkey').", Required = true };
        var board = new Option<string>("--board") { Description = "Board id the image is for.", Required = true };
        var version = new Option<string>("--version") { Description = "Version string (printable ASCII, up to 63 characters).", Required = true };
        var rollback = NumericOptions.UnsignedLong("--rollback-index", "Anti-downgrade rollback index of this release.", null);
        var boot = new Option<string>("--boot") { Description = "Payload of the boot partition.", Required = true };
        var system = new Option<string>("--system") { Description = "Payload of the system partition.", Required = true };
        var vendor = new Option<string>("--vendor") { Description = "Payload of the vendor partition.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The golden image to write.", Required = true };
        var releaseId = new Option<string?>("--release-id") { Description = "Release id (default: derived from the content)." };
        var compress = new Option<bool>("--compress") { Description = "Store partition members zstd-compressed." };
        var json = new Option<bool>("--json") { Description = "Print the manifest written as JSON." };
        foreach (Option option in new Option[] { key, board, version, rollback, boot, system, vendor, output, releaseId, compress, json })
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string outputPath = parse.GetValue(output)!;
            var inputs = new[] { ("boot", parse.GetValue(boot)!), ("system", parse.GetValue(system)!), ("vendor", parse.GetValue(vendor)!) };
            foreach ((string name, string path) in inputs)
            {
                if (!File.Exists(path))
                {
                    throw new CommandFailedException($"--{name}: payload file '{path}' does not exist");
                }

                if (Path.GetFullPath(path) == Path.GetFullPath(outputPath))
                {
                    throw new CommandFailedException($"--{name}: payload file '{path}' is also the output");
                }
            }

            SigningKey signingKey = SigningKey.Load(parse.GetValue(key)!);
            var options = new GoldenImageBuildOptions
            {
                Key = signingKey,
                BoardIds = [parse.GetValue(board)!],
                ReleaseId = parse.GetValue(releaseId),
                Version = parse.GetValue(version)!,
                RollbackIndex = parse.GetValue(rollback),
                Partitions = [.. inputs.Select(i => GoldenImagePartitionSource.FromFile(i.Item1, i.Item2))],
                Compression = parse.GetValue(compress) ? PartitionCompression.Zstd : PartitionCompression.None,
                Timestamp = context.Time.GetUtcNow(),
            };

            GoldenImageManifest manifest;
            AtomicFile file = AtomicFile.Create(outputPath);
            await using (file.ConfigureAwait(false))
            {
                try
                {
                    manifest = await ImageProgressBars.RunAsync(context, progress => GoldenImageWriter.WriteAsync(options, file.Stream, progress, cancel)).ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    // A flag value the format does not allow: say which, without the parameter name.
                    throw new CommandFailedException(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal), e);
                }

                await file.CommitAsync(cancel).ConfigureAwait(false);
            }

            if (parse.GetValue(json))
            {
                await context.Output.WriteAsync(System.Text.Encoding.UTF8.GetString(manifest.ToJson())).ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteLineAsync($"wrote {outputPath}: board {string.Join(",", manifest.BoardIds)}, release {manifest.ReleaseId}, version {manifest.Version}, rollback index {manifest.RollbackIndex}, key {manifest.KeyId} ({SignatureAlgorithmNames.ToName(manifest.SignatureAlgorithm)})").ConfigureAwait(false);
                foreach (ManifestPartition p in manifest.Partitions)
                {
                    await context.Output.WriteLineAsync($"  {p.Member,-18} {p.Size,14} bytes  {(p.Compression == PartitionCompression.Zstd ? $"{p.CompressedSize,14} compressed" : ""),-25} sha256 {p.Sha256}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateVerify(CliContext context)
    {
        var command = new Command("verify", "Verify a golden image: manifest signature by a trusted key, board id, rollback index, every member's partition header (fields and signature), size and SHA-256. Exit 0 only if all pass.");
        var golden = new Argument<string>("GOLDEN") { Description = "The golden image." };
        var pubkey = new Option<string[]>("--pubkey") { Description = "Trusted public key (SubjectPublicKeyInfo PEM); repeat to trust several.", Required = true };
        var board = new Option<string?>("--board") { Description = "Require this board id to be in the manifest." };
        var minimum = NumericOptions.UnsignedLong("--min-rollback-index", "Refuse a rollback index below this (anti-downgrade).", 0);
        var payloadHashes = new Option<bool>("--payload-hashes") { Description = "Also hash each payload against its partition header (a second SHA-256 pass; the manifest's hash already covers every byte)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        command.Arguments.Add(golden);
        command.Options.Add(payloadHashes);
        command.Options.Add(pubkey);
        command.Options.Add(board);
        command.Options.Add(minimum);
        command.Options.Add(json);

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string path = parse.GetValue(golden)!;
            var trusted = new TrustedKeySet(parse.GetValue(pubkey)!.Select(VerificationKey.Load));
            bool deep = parse.GetValue(payloadHashes);
            var options = new GoldenImageReadOptions(trusted)
            {
                BoardId = parse.GetValue(board),
                MinimumRollbackIndex = parse.GetValue(minimum),
                VerifyPayloadHashes = deep,
            };
            VerifiedGoldenImage verified;
            var stream = OpenImage(path);
            await using (stream.ConfigureAwait(false))
            {
                verified = await ImageProgressBars.RunAsync(context, progress => GoldenImageReader.ReadAsync(stream, options, null, progress, cancel)).ConfigureAwait(false);
            }

            GoldenImageManifest m = verified.Manifest;
            if (parse.GetValue(json))
            {
                var result = new JsonObject
                {
                    ["verified"] = true,
                    ["file"] = path,
                    ["key_id"] = verified.SigningKey.KeyId.ToString(),
                    ["signature_algorithm"] = SignatureAlgorithmNames.ToName(verified.SigningKey.Algorithm),
                    ["board_ids"] = CliJson.Array(m.BoardIds),
                    ["release_id"] = m.ReleaseId,
                    ["version"] = m.Version,
                    ["rollback_index"] = m.RollbackIndex,
                    ["partitions"] = CliJson.Array(m.Partitions.Zip(verified.Headers), x => new JsonObject
                    {
                        ["name"] = x.First.Name,
                        ["member"] = x.First.Member,
                        ["size"] = x.First.Size,
                        ["compressed_size"] = x.First.CompressedSize,
                        ["sha256"] = x.First.Sha256,
                        ["payload_length"] = x.Second.PayloadLength,
                        ["payload_sha256"] = x.Second.PayloadSha256Hex,
                        ["payload_sha256_checked"] = deep,
                    }),
                };
                await context.Output.WriteLineAsync(CliJson.Write(result, indented: true)).ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteLineAsync($"{path}: verified").ConfigureAwait(false);
                await context.Output.WriteLineAsync($"  signed by trusted key {verified.SigningKey.KeyId} ({SignatureAlgorithmNames.ToName(verified.SigningKey.Algorithm)})").ConfigureAwait(false);
                await context.Output.WriteLineAsync($"  board {string.Join(",", m.BoardIds)}, release {m.ReleaseId}, version {m.Version}, rollback index {m.RollbackIndex}").ConfigureAwait(false);
                foreach ((ManifestPartition p, PartitionHeader h) in m.Partitions.Zip(verified.Headers))
                {
                    await context.Output.WriteLineAsync($"  {p.Member,-18} {p.Size,14} bytes  sha256 {p.Sha256}  header signature ok{(deep ? ", payload sha256 ok" : "")}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateInspect(CliContext context)
    {
        var command = new Command("inspect", "Show what a golden image or a delta package says about itself: manifest, partition headers, patch headers. Nothing is verified (use 'image verify').");
        var golden = new Argument<string>("GOLDEN") { Description = "The golden image." };
        var json = new Option<bool>("--json") { Description = "Print as JSON." };
        command.Arguments.Add(golden);
        command.Options.Add(json);

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string path = parse.GetValue(golden)!;
            GoldenImageInspection inspection;
            var stream = OpenImage(path);
            await using (stream.ConfigureAwait(false))
            {
                inspection = await GoldenImageInspector.InspectAsync(stream, cancel).ConfigureAwait(false);
            }

            GoldenImageManifest m = inspection.Manifest;
            if (parse.GetValue(json))
            {
                var result = new JsonObject
                {
                    ["file"] = path,
                    ["verified"] = false,
                    ["format"] = m.IsDeltaPackage ? GoldenImageManifest.DeltaFormatName : GoldenImageManifest.FormatName,
                    ["format_version"] = m.FormatVersion,
                    ["source_release_id"] = m.Source?.ReleaseId,
                    ["source_version"] = m.Source?.Version,
                    ["board_ids"] = CliJson.Array(m.BoardIds),
                    ["release_id"] = m.ReleaseId,
                    ["version"] = m.Version,
                    ["rollback_index"] = m.RollbackIndex,
                    ["key_id"] = m.KeyId.ToString(),
                    ["signature_algorithm"] = SignatureAlgorithmNames.ToName(m.SignatureAlgorithm),
                    ["manifest_bytes"] = inspection.ManifestLength,
                    ["signature_bytes"] = inspection.Signature.Length,
                    ["partitions"] = CliJson.Array(m.Partitions, p => new JsonObject
                    {
                        ["name"] = p.Name,
                        ["member"] = p.Member,
                        ["size"] = p.Size,
                        ["kind"] = p.Delta is null ? null : KindName(p.Delta.Kind),
                        ["compression"] = CompressionName(p.Compression),
                        ["compressed_size"] = p.CompressedSize,
                        ["sha256"] = p.Sha256,
                        ["compressed_sha256"] = p.CompressedSha256,
                        ["source_size"] = p.Delta?.SourceSize,
                        ["source_sha256"] = p.Delta?.SourceSha256,
                    }),
                    ["members"] = CliJson.Array(inspection.Members, x => new JsonObject
                    {
                        ["name"] = x.Name,
                        ["tar_size"] = x.TarSize,
                        ["header"] = x.Header is { } h ? HeaderJson(h) : null,
                        ["patch"] = x.PatchHeader is { } b ? new JsonObject { ["control_length"] = b.ControlLength, ["diff_length"] = b.DiffLength, ["new_size"] = b.NewSize } : null,
                        ["header_error"] = x.HeaderError,
                    }),
                };
                await context.Output.WriteLineAsync(CliJson.Write(result, indented: true)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            TextWriter o = context.Output;
            await o.WriteLineAsync($"{path}: {(m.IsDeltaPackage ? "delta package" : "golden image")}, format version {m.FormatVersion} (NOT verified: use 'recoverysim image verify')").ConfigureAwait(false);
            if (m.Source is { } source)
            {
                await o.WriteLineAsync($"  applies from:   release {source.ReleaseId}, version {source.Version}").ConfigureAwait(false);
            }

            await o.WriteLineAsync($"  board ids:      {string.Join(", ", m.BoardIds)}").ConfigureAwait(false);
            await o.WriteLineAsync($"  release id:     {m.ReleaseId}").ConfigureAwait(false);
            await o.WriteLineAsync($"  version:        {m.Version}").ConfigureAwait(false);
            await o.WriteLineAsync($"  rollback index: {m.RollbackIndex}").ConfigureAwait(false);
            await o.WriteLineAsync($"  key id:         {m.KeyId} ({SignatureAlgorithmNames.ToName(m.SignatureAlgorithm)}), signature {inspection.Signature.Length} bytes").ConfigureAwait(false);
            foreach (ManifestPartition p in m.Partitions)
            {
                string stored = p.Compression == PartitionCompression.None ? "" : $" ({p.CompressedSize} {CompressionName(p.Compression)})";
                string delta = p.Delta is { } d ? $", {KindName(d.Kind)} from a {d.SourceSize}-byte source sha256 {d.SourceSha256}" : "";
                await o.WriteLineAsync($"  partition {p.Name}: member {p.Member}, {p.Size} bytes{stored}, sha256 {p.Sha256}{delta}").ConfigureAwait(false);
            }

            foreach (InspectedMember x in inspection.Members)
            {
                string header = x.Header is { } h
                    ? $"header: {h.PartitionName} {h.Version}, release {h.ReleaseId}, rollback {h.RollbackIndex}, board {h.BoardId}, payload {h.PayloadLength} bytes sha256 {h.PayloadSha256Hex}, key {h.KeyId}"
                    : x.PatchHeader is { } b ? $"BSDIFF40 patch: control {b.ControlLength} bytes, diff {b.DiffLength} bytes, new size {b.NewSize}"
                    : $"header error: {x.HeaderError}";
                await o.WriteLineAsync($"  member {x.Name} ({x.TarSize} bytes) {header}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string CompressionName(PartitionCompression c) => c switch
    {
        PartitionCompression.Zstd => "zstd",
        PartitionCompression.Bsdiff40 => "bsdiff40",
        _ => "none",
    };

    private static string KindName(DeltaMemberKind k) => k == DeltaMemberKind.Patch ? "patch" : "full";

    private static JsonObject HeaderJson(PartitionHeader h) => new()
    {
        ["format_version"] = h.FormatVersion,
        ["partition_name"] = h.PartitionName,
        ["release_id"] = h.ReleaseId,
        ["version"] = h.Version,
        ["rollback_index"] = h.RollbackIndex,
        ["board_id"] = h.BoardId,
        ["payload_length"] = h.PayloadLength,
        ["payload_sha256"] = h.PayloadSha256Hex,
        ["key_id"] = h.KeyId.ToString(),
        ["signature_algorithm"] = SignatureAlgorithmNames.ToName(h.SignatureAlgorithm),
        ["signature_bytes"] = h.Signature.Length,
        ["crc32"] = $"0x{h.Crc32:x8}",
    };

    private static FileStream OpenImage(string path)
    {
        if (!File.Exists(path))
        {
            throw new CommandFailedException(Directory.Exists(path) ? $"golden image '{path}' is a directory" : $"golden image '{path}' does not exist");
        }

        // Unbuffered: the reader asks for 1 MiB at a time, so a second buffer would only copy.
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
    }
}
