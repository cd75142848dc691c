# tcpmsg as one NativeAOT binary (SQLite linked in) on a minimal image.
#   docker build -t tcpmsg .
#   docker run -p 2023:2023 -v tcpmsg-data:/data tcpmsg
# The store is /data/tcpmsg.db; every option of `tcpmsg serve` can follow the image name, e.g.
#   docker run -p 2023:2023 tcpmsg serve --no-store --format json
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# NativeAOT links with clang; libsqlite3-dev provides the static SQLite that is linked in.
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/TcpMsg.Cli -c Release -r linux-x64 -p:PublishAot=true -o /out \
    && test ! -e /out/libe_sqlite3.so

# runtime-deps: glibc, ICU (the Chinese output), OpenSSL (TLS), CA certificates; no .NET runtime needed.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
COPY --from=build /out/tcpmsg /usr/local/bin/tcpmsg
RUN mkdir -p /data && chown app:app /data
USER app
WORKDIR /data
VOLUME /data
EXPOSE 2023
ENTRYPOINT ["tcpmsg"]
CMD ["serve", "--store", "/data/tcpmsg.db"]
