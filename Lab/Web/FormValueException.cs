namespace RecoverySim.Lab.Web;

/// <summary>A form value of a dashboard request is missing or malformed (HTTP 400); the message names the field, what was expected and what was found.</summary>
public sealed class FormValueException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public FormValueException(string field, string expected, string found)
        : base($"field '{field}': expected {expected}, found {found}")
    {
        Field = field;
    }

    /// <summary>The field, as the form names it.</summary>
    public string Field { get; }
}
