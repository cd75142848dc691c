using Microsoft.Playwright;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Http;

/// <summary>
/// Debian's chromium, driven by Playwright (whose .NET package brings its own node driver; no browser
/// is downloaded), on the live page of a server. Records console errors and uncaught exceptions.
/// </summary>
public sealed class LivePage : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private LivePage(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (Errors)
                {
                    Errors.Add($"console: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (Errors)
            {
                Errors.Add($"page error: {error}");
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            lock (Errors)
            {
                Errors.Add($"dialog: {dialog.Message}");
            }

            await dialog.DismissAsync();
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    public static async Task<LivePage> OpenAsync(Uri address, int width = 1280, int height = 860, float scale = 1, bool mobile = false)
    {
        var chromium = ExternalTools.Require("chromium");
        var playwright = await Playwright.CreateAsync().WithTimeout();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,

                // Tests run as root, where chromium's sandbox cannot start.
                Args = ["--no-sandbox", "--disable-gpu", "--lang=en-US"],
                Timeout = (float)TestTimeouts.Default.TotalMilliseconds,
            }).WithTimeout();
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = width, Height = height },
                DeviceScaleFactor = scale,
                IsMobile = mobile,
                HasTouch = mobile,
                Locale = "en-US",
                TimezoneId = "UTC",
            }).WithTimeout();
            var page = await context.NewPageAsync().WithTimeout();
            var live = new LivePage(playwright, browser, context, page);
            await page.GotoAsync(address.ToString(), new PageGotoOptions { Timeout = (float)TestTimeouts.Default.TotalMilliseconds }).WithTimeout();
            return live;
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>The texts of the message rows, top to bottom (hidden ones included).</summary>
    public async Task<IReadOnlyList<string>> TextsAsync() =>
        await Page.Locator("#messages .msg .text").AllTextContentsAsync().WithTimeout();

    /// <summary>Waits until a row shows exactly <paramref name="text"/>.</summary>
    public Task WaitForTextAsync(string text, TimeSpan timeout) =>
        Page.WaitForFunctionAsync(
            "t => [...document.querySelectorAll('#messages .msg .text')].some(e => e.textContent === t)",
            text,
            new PageWaitForFunctionOptions { Timeout = (float)timeout.TotalMilliseconds });

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync().WithTimeout();
        await _browser.CloseAsync().WithTimeout();
        _playwright.Dispose();
    }
}
