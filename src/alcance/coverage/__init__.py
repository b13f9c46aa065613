"""Coverage of schools and areas by existing towers over real terrain."""

from alcance.coverage.model import SERVICE_CLASS_NAMES, CoverageRaster, ServiceClass

__all__ = ["SERVICE_CLASS_NAMES", "CoverageRaster", "ServiceClass"]
