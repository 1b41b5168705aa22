using System.CommandLine;
using System.Text.Json.Nodes;
using RecoverySim.Lab.Benches;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.Cli.Commands;

/// <summary><c>recoverysim keys generate</c>: a signing key pair as PEM files (DESIGN.md "Command line").</summary>
public static class KeysCommands
{
    /// <summary>Builds the <c>keys</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var keys = new Command("keys", "Signing keys for partition headers and golden images.");
        keys.Subcommands.Add(CreateGenerate(context));
        return keys;
    }

    private static Command CreateGenerate(CliContext context)
    {
        var command = new Command("generate", "Generate a key pair: DIR/private.pem (PKCS#8, mode 0600) and DIR/public.pem (SubjectPublicKeyInfo); print the key id.");
        var output = new Option<string>("--out") { Description = "Directory for private.pem and public.pem (created if missing; existing keys are never overwritten).", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "ed25519 (default), ecdsa-p256 or rsa-3072.", DefaultValueFactory = _ => "ed25519" };
        algorithm.Validators.Add(result =>
        {
            // One line (AcceptOnlyFromAmong's message spans several).
            string? value = result.GetValueOrDefault<string>();
            if (!SignatureAlgorithmNames.TryParse(value, out _))
            {
                result.AddError($"--algorithm '{value}': expected one of {string.Join(", ", SignatureAlgorithmNames.All.Select(a => a.Name))}");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        command.Options.Add(output);
        command.Options.Add(algorithm);
        command.Options.Add(json);

        CliAction.Set(command, context, async (parse, cancel) =>
        {
            string directory = parse.GetValue(output)!;
            SignatureAlgorithm chosen = SignatureAlgorithmNames.Parse(parse.GetValue(algorithm)!);
            string privatePath = Path.Combine(directory, KeyPairFiles.PrivateFile);
            string publicPath = Path.Combine(directory, KeyPairFiles.PublicFile);
            foreach (string path in new[] { privatePath, publicPath })
            {
                if (File.Exists(path))
                {
                    throw new CommandFailedException($"{path} already exists: refusing to overwrite a key (choose another --out)");
                }
            }

            SigningKey key = SigningKey.Generate(chosen);
            await KeyPairFiles.WriteAsync(directory, key, cancel).ConfigureAwait(false);

            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(CliJson.Write(new JsonObject
                {
                    ["algorithm"] = SignatureAlgorithmNames.ToName(key.Algorithm),
                    ["key_id"] = key.KeyId.ToString(),
                    ["private_key"] = Path.GetFullPath(privatePath),
                    ["public_key"] = Path.GetFullPath(publicPath),
                })).ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteLineAsync($"key id {key.KeyId} ({SignatureAlgorithmNames.ToName(key.Algorithm)})").ConfigureAwait(false);
                await context.Output.WriteLineAsync($"private key: {privatePath}").ConfigureAwait(false);
                await context.Output.WriteLineAsync($"public key:  {publicPath}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
