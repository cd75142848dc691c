using TcpMsg.Client;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests;

/// <summary>
/// The library's public API is what src/TcpMsg/PublicAPI.*.txt declare (Microsoft.CodeAnalysis.PublicApiAnalyzers
/// fails the build on any difference); here the built assembly is read back: the public types it
/// exports are exactly the types declared there.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void The_exported_types_are_exactly_the_declared_ones()
    {
        // A type's line is its bare name; members have a parameter list or an arrow to their type.
        var declared = new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(file => File.ReadAllLines(Path.Combine(CliBuild.RepositoryRoot, "src", "TcpMsg", file)))
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.Contains("->", StringComparison.Ordinal) && !line.Contains('('))
            .Order(StringComparer.Ordinal);
        var exported = typeof(MessageClient).Assembly.GetExportedTypes().Select(t => t.FullName!.Replace('+', '.')).Order(StringComparer.Ordinal);

        Assert.Equal(declared, exported);
    }

    [Fact]
    public void No_public_member_of_the_storage_namespace_names_a_server_type()
    {
        // Server -> Storage -> TcpMsg, never back: a store reader needs no server types.
        const System.Reflection.BindingFlags Public = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly;
        var storage = typeof(MessageClient).Assembly.GetExportedTypes().Where(t => t.Namespace == "TcpMsg.Storage");
        var named = storage.SelectMany(type => type.GetMembers(Public).SelectMany(member => member switch
        {
            System.Reflection.PropertyInfo property => [property.PropertyType],
            System.Reflection.MethodInfo method => method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType),
            System.Reflection.ConstructorInfo constructor => constructor.GetParameters().Select(p => p.ParameterType),
            _ => Array.Empty<Type>(),
        }).Select(t => (Member: $"{type.Name}.{t.Name}", Type: Unwrap(t))));

        Assert.Empty(named.Where(n => n.Type.Namespace?.StartsWith("TcpMsg.Server", StringComparison.Ordinal) == true).Select(n => n.Member));
    }

    private static Type Unwrap(Type type) =>
        type.HasElementType ? Unwrap(type.GetElementType()!) :
        type.IsGenericType ? type.GetGenericArguments().Select(Unwrap).FirstOrDefault(t => t.Namespace?.StartsWith("TcpMsg.Server", StringComparison.Ordinal) == true) ?? type :
        type;
}
