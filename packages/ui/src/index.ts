export {
  Alert,
  type AlertProps,
  Badge,
  type BadgeProps,
  Banner,
  type BannerProps,
  type Tone,
  ToneIcon,
} from "./Alert";
export {
  Button,
  type ButtonProps,
  type ButtonSize,
  type ButtonStyle,
  type ButtonVariant,
  buttonClass,
} from "./Button";
export {
  AA_NON_TEXT,
  AA_NORMAL_TEXT,
  contrastRatio,
  formatRatio,
  normalizeHex,
  parseHex,
  relativeLuminance,
} from "./contrast";
export { cx } from "./cx";
export { ConfirmDialog, type ConfirmDialogProps, Modal, type ModalProps } from "./Dialog";
export {
  Checkbox,
  type CheckboxProps,
  FieldError,
  type FieldMessages,
  PasswordField,
  type PasswordFieldProps,
  SelectField,
  type SelectFieldProps,
  Switch,
  type SwitchProps,
  TextField,
  type TextFieldProps,
} from "./Field";
export {
  Card,
  type CardProps,
  EmptyState,
  type EmptyStateProps,
  ErrorState,
  type ErrorStateProps,
  PageHeader,
  type PageHeaderProps,
  SkipLink,
  VisuallyHidden,
} from "./Layout";
export { ProgressBar, type ProgressBarProps } from "./ProgressBar";
export { ListSkeleton, PageSkeleton, Skeleton, TableSkeleton, TilesSkeleton } from "./Skeleton";
export { LoadingBlock, Spinner, type SpinnerProps } from "./Spinner";
export { TableScroll } from "./Table";
