"""Framework, package-manager, PostHog and LLM-call detection (SPEC §5). Pure, bounded, no UI."""

from wizard_tui.detection.detect import detect_project
from wizard_tui.detection.frameworks import FRAMEWORK_NAMES, FRAMEWORK_ORDER
from wizard_tui.detection.models import DetectionResult, LlmCall, Subproject
from wizard_tui.detection.report import format_detection

__all__ = [
    "FRAMEWORK_NAMES",
    "FRAMEWORK_ORDER",
    "DetectionResult",
    "LlmCall",
    "Subproject",
    "detect_project",
    "format_detection",
]
