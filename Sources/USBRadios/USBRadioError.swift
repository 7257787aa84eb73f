import CLibUSB
import Radio

/// Why a USB radio could not be found, opened, configured or streamed. Each case reads as one sentence
/// naming the device and the problem, with what to do about it where there is something to do.
public enum USBRadioError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No attached device matches; `attached` lists the SDRs that are there.
    case notFound(wanted: String, attached: [String])
    /// The device node is not accessible to this user (udev rule missing, or not in group plugdev).
    case permissionDenied(device: String, busAddress: String)
    /// Another program (or a kernel driver that could not be detached) holds the interface.
    case busy(device: String)
    /// The device went away: unplugged, reset, or it stopped answering.
    case unplugged(device: String)
    /// A setting outside what the hardware can do.
    case invalidSetting(device: String, problem: String)
    /// The firmware stalled or refused a request.
    case refused(device: String, request: String)
    /// Any other libusb failure.
    case libusb(device: String, call: String, code: Int32)
    /// An RTL2832U stick whose tuner Cellwatch does not drive (only R820T/R828D are).
    case unsupportedTuner(device: String, tuner: String)

    public var description: String {
        switch self {
        case .notFound(let wanted, let attached):
            "no \(wanted) is attached (attached SDRs: \(attached.isEmpty ? "none" : attached.joined(separator: ", ")))"
        case .permissionDenied(let device, let busAddress):
            "\(device): permission denied opening /dev/bus/usb/\(busAddress); install deploy/60-cellwatch.rules as /etc/udev/rules.d/60-cellwatch.rules (MODE=\"0660\", GROUP=\"plugdev\"), run udevadm control --reload && udevadm trigger, replug the device, and add this user to group plugdev"
        case .busy(let device):
            "\(device): busy; another program has it open, or a kernel driver holds it (blacklist it: deploy/modprobe-cellwatch.conf)"
        case .unplugged(let device):
            "\(device): device unplugged or reset (LIBUSB_ERROR_NO_DEVICE)"
        case .invalidSetting(let device, let problem):
            "\(device): \(problem)"
        case .refused(let device, let request):
            "\(device): the firmware refused \(request)"
        case .libusb(let device, let call, let code):
            "\(device): \(call) failed: \(USBRadioError.libusbName(code)) (\(String(cString: libusb_strerror(code))))"
        case .unsupportedTuner(let device, let tuner):
            "\(device): tuner \(tuner) is not supported; Cellwatch drives RTL-SDR sticks with a Rafael Micro R820T or R828D tuner (GSM and LTE need 24–1766 MHz)"
        }
    }

    /// The `RadioError` the `RadioDevice` protocol carries.
    public var radioError: RadioError {
        switch self {
        case .unplugged(let device): .deviceGone(device: device, reason: "device unplugged or reset (LIBUSB_ERROR_NO_DEVICE)")
        case .invalidSetting(_, _): .badArguments(description)
        default: .io(path: deviceName, reason: description)
        }
    }

    var deviceName: String {
        switch self {
        case .notFound(let wanted, _): wanted
        case .permissionDenied(let d, _), .busy(let d), .unplugged(let d), .invalidSetting(let d, _),
             .refused(let d, _), .libusb(let d, _, _), .unsupportedTuner(let d, _): d
        }
    }

    static func libusbName(_ code: Int32) -> String { String(cString: libusb_error_name(code)) }

    /// Maps a negative libusb return code to the case a user can act on.
    static func from(_ code: Int32, device: String, call: String, busAddress: String = "") -> USBRadioError {
        switch code {
        case Int32(LIBUSB_ERROR_NO_DEVICE.rawValue): .unplugged(device: device)
        case Int32(LIBUSB_ERROR_ACCESS.rawValue): .permissionDenied(device: device, busAddress: busAddress)
        case Int32(LIBUSB_ERROR_BUSY.rawValue): .busy(device: device)
        case Int32(LIBUSB_ERROR_PIPE.rawValue): .refused(device: device, request: call)
        default: .libusb(device: device, call: call, code: code)
        }
    }
}
