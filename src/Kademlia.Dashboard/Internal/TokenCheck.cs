using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Kademlia.Dashboard.Internal;

/// <summary>
/// The dashboard's only door: every request shows the token, compared in constant time. A first visit
/// brings it as <c>?token=</c> and trades it for a cookie (HttpOnly, SameSite=Strict, named after the
/// port since cookies do not tell ports apart) and a redirect that takes the token out of the address bar.
/// </summary>
internal sealed class TokenCheck(string token)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var cookieName = $"kad-dashboard-{context.Connection.LocalPort}";
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

        string? given = null;
        var fromQuery = false;
        if (context.Request.Query.TryGetValue("token", out var query))
        {
            given = query.ToString();
            fromQuery = true;
        }
        else if (context.Request.Headers.Authorization.ToString() is { Length: > 7 } authorization && authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            given = authorization[7..];
        }
        else if (context.Request.Cookies.TryGetValue(cookieName, out var cookie))
        {
            given = cookie;
        }

        if (given is null)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "This dashboard needs its token: open the address kad printed (it ends in ?token=...).").ConfigureAwait(false);
            return;
        }

        if (!Matches(given))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "Wrong dashboard token.").ConfigureAwait(false);
            return;
        }

        // A state-changing request from another site's page cannot carry the SameSite cookie; one that
        // names an origin must name this one.
        if (!HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Origin is { Count: > 0 } origin
            && !string.Equals(origin.ToString(), $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "Cross-origin request refused.").ConfigureAwait(false);
            return;
        }

        if (fromQuery && HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.Cookies.Append(cookieName, given, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });
            var rest = string.Join('&', context.Request.Query.Where(q => q.Key != "token").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}"));
            context.Response.Redirect(context.Request.Path + (rest.Length > 0 ? "?" + rest : ""));
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private bool Matches(string given)
    {
        var bytes = Encoding.UTF8.GetBytes(given);
        return bytes.Length == _token.Length && CryptographicOperations.FixedTimeEquals(bytes, _token);
    }

    private static Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n");
    }
}
