<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_NULL_POINTER`: A required pointer was NULL (a binding bug). */
final class NullPointerException extends UsageException
{
}
