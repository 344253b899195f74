<?php

declare(strict_types=1);

// Composer users get everything from vendor/autoload.php; on Debian the libraries come from
// php-guzzlehttp-guzzle and php-nyholm-psr7 under /usr/share/php.
$vendor = dirname(__DIR__) . '/vendor/autoload.php';
if (is_file($vendor)) {
    require $vendor;
} else {
    require dirname(__DIR__) . '/autoload.php';
    foreach (['GuzzleHttp/autoload.php', 'Nyholm/Psr7/autoload.php'] as $lib) {
        require_once stream_resolve_include_path($lib) ?: "/usr/share/php/$lib";
    }
}
require __DIR__ . '/support/frameworks.php';
require __DIR__ . '/Support.php';
require __DIR__ . '/Servers.php';
