<?php

// The framework libraries the glue is tested against, from Composer's vendor/ when present,
// else Debian's /usr/share/php (php-laravel-framework, php-symfony-http-foundation,
// php-psr-log, php-guzzlehttp-guzzle, php-nyholm-psr7). PSR-15's two interfaces have no
// Debian package: the copies in psr15/ stand in when psr/http-server-middleware is absent.

declare(strict_types=1);

foreach (['GuzzleHttp/autoload.php', 'Nyholm/Psr7/autoload.php', 'Psr/Log/autoload.php',
          'Symfony/Component/HttpFoundation/autoload.php', 'Illuminate/Routing/autoload.php',
          'Illuminate/Events/autoload.php'] as $lib) {
    $path = stream_resolve_include_path($lib) ?: "/usr/share/php/$lib";
    if (is_file($path)) {
        require_once $path;
    }
}
if (!interface_exists(\Psr\Http\Server\MiddlewareInterface::class)) {
    require_once __DIR__ . '/psr15/RequestHandlerInterface.php';
    require_once __DIR__ . '/psr15/MiddlewareInterface.php';
}
