<?php

// For users without Composer: `require '/path/to/bindings/php/autoload.php';`
// (Composer users get the same PSR-4 mapping from composer.json.)

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'Signwire\\', 9) === 0) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, 9)) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
